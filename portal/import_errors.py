"""How an import says no: every problem with the line the user sees it on (kept apart from the readers
so the reading limits in read_limits.py can raise them too; callers import them from csvfiles)."""
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


class ImportRejected(Exception):
    """The file was refused as a whole; `errors` holds every problem found, not just the first."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        super().__init__("\n".join(str(error) for error in self.errors))
