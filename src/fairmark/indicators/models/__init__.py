from .choices import Aggregation, Category, Direction, ItemKind, MissingRule, Period, RaterGroup, VersionStatus
from .indicators import Indicator, IndicatorVersion
from .templates import LibraryInstall, Template, TemplateVersion

__all__ = [
    "Aggregation",
    "Category",
    "Direction",
    "Indicator",
    "IndicatorVersion",
    "ItemKind",
    "LibraryInstall",
    "MissingRule",
    "Period",
    "RaterGroup",
    "Template",
    "TemplateVersion",
    "VersionStatus",
]
