from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "fairmark.goals"
    label = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        # Ingested values move the progress of the KPI goals that read them (ingestion sits below goals in
        # the pipeline and cannot call up: it announces, goals listens).
        from . import receivers  # noqa: F401
