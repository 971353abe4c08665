from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "fairmark.indicators"
    label = "indicators"
    verbose_name = _("Indicators and templates")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services.library import install_after_migrate

        # A fresh install starts with the shipped library (DESIGN.md C2); later migrations leave it alone.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="fairmark.indicators.library")
