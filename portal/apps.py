from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Schools and LOPs")

    def ready(self):
        # Both connect a login signal: one marks two-step sessions, one starts the idle clock.
        from . import idle_sessions, twofactor  # noqa: F401
