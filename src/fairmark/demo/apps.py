from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo-company generator (`fairmark demo`). It has no models; it is an app so that Django
    finds its management command."""

    name = "fairmark.demo"
    label = "demo"
    verbose_name = _("Demo company")
