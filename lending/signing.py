"""Signing-link tokens: a random token goes to the family, only its SHA-256 is stored."""
import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from .models import SigningLink

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 bits of randomness, 43 characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class LinkLookup:
    link: SigningLink | None
    state: str  # "ok", "used", "expired" or "unknown"

    @property
    def ok(self):
        return self.state == "ok"


def token_state(queryset, token: str, *, used_field: str):
    """(row, state) for a link token: "ok", "used", "expired" or "unknown". Tokens of the wrong
    shape are unknown without a query; the row comes back for used and expired links so the
    friendly page can say whose link it was."""
    if not token or len(token) > 100:
        return None, "unknown"
    row = queryset.filter(token_hash=hash_token(token)).first()
    if row is None:
        return None, "unknown"
    if getattr(row, used_field) is not None:
        return row, "used"
    if row.expires_at <= timezone.now():
        return row, "expired"
    return row, "ok"


def lookup(token: str) -> LinkLookup:
    """Find the signing link for a token."""
    return LinkLookup(*token_state(SigningLink.objects.select_related(
        "agreement__terms", "agreement__loan__device__school", "agreement__loan__pupil__household"),
        token, used_field="used_at"))
