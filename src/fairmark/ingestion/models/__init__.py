from .batches import Batch, Conflict, QuarantinedRow
from .choices import (
    REGISTERED_SUBJECT_TYPES,
    Channel,
    ConflictStatus,
    Grain,
    QuarantineStatus,
    RunStatus,
    RunTrigger,
    SourceKind,
    SubjectType,
    ValueType,
)
from .metrics import Metric
from .sources import Run, Source, SourceKey
from .subjects import Subject, SubjectMapping
from .uploads import Upload, UploadStatus
from .values import MetricValue

__all__ = [
    "REGISTERED_SUBJECT_TYPES",
    "Batch",
    "Channel",
    "Conflict",
    "ConflictStatus",
    "Grain",
    "Metric",
    "MetricValue",
    "QuarantineStatus",
    "QuarantinedRow",
    "Run",
    "RunStatus",
    "RunTrigger",
    "Source",
    "SourceKey",
    "SourceKind",
    "Subject",
    "SubjectMapping",
    "SubjectType",
    "Upload",
    "UploadStatus",
    "ValueType",
]
