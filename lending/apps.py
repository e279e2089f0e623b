from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "lending"
    verbose_name = _("Lending")

    def ready(self):
        # A new terms version changes the school's rules stamp: the checkout keeps terms in memory.
        from . import terms  # noqa: F401
