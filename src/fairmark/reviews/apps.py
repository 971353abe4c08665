from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "fairmark.reviews"
    label = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # Committed data moves the totals of the open reviews that read it (ingestion announces, reviews listen).
        from . import receivers  # noqa: F401
