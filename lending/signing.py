"""Finding the signing link behind a token (portal.tokens makes and hashes them)."""
from dataclasses import dataclass

from portal.tokens import token_state

from .models import SigningLink


@dataclass
class LinkLookup:
    link: SigningLink | None
    state: str  # "ok", "used", "expired" or "unknown"

    @property
    def ok(self):
        return self.state == "ok"


def lookup(token: str) -> LinkLookup:
    """Find the signing link for a token."""
    return LinkLookup(*token_state(SigningLink.objects.select_related(
        "agreement__terms", "agreement__loan__device__school", "agreement__loan__pupil__household"),
        token, used_field="used_at"))
