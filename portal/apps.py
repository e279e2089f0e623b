from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Schools and LOPs")

    def ready(self):
        # A deploy check; the e-mail tracking signal; login signals (two-step sessions, the idle clock);
        # the school's rules stamp on every change of a closed day.
        from . import checks, idle_sessions, receipts, school_rules, twofactor  # noqa: F401
