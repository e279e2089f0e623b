from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Schools and LOPs")

    def ready(self):
        from . import checks, receipts, twofactor  # noqa: F401  (a deploy check; the e-mail tracking and login signals)
