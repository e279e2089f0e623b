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


def lookup(token: str) -> LinkLookup:
    """Find the link for a token. Tokens of the wrong shape are unknown without a query."""
    if not token or len(token) > 100:
        return LinkLookup(None, "unknown")
    link = (
        SigningLink.objects.select_related(
            "agreement__terms", "agreement__loan__device__school", "agreement__loan__pupil__household"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        return LinkLookup(None, "unknown")
    if link.used_at is not None:
        return LinkLookup(link, "used")
    if link.expires_at <= timezone.now():
        return LinkLookup(link, "expired")
    return LinkLookup(link, "ok")
