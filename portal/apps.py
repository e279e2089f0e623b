from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Schools and LOPs")

    def ready(self):
        from . import twofactor  # noqa: F401  (connects the login signal that marks two-step sessions)
