"""Tokens in the links families get (signing, survey): made here, only their hash is stored.

A token is 256 random bits; the database keeps its SHA-256, so a copy of the database or a log
of queries holds no working link.
"""
import hashlib
import secrets

from django.utils import timezone

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 bits of randomness, 43 characters
LONGEST_TOKEN = 100


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_state(queryset, token: str, *, used_field: str):
    """(row, state) for a link token: "ok", "used", "expired" or "unknown". Tokens of the wrong
    shape are unknown without a query; the row comes back for used and expired links so the
    friendly page can say whose link it was."""
    if not token or len(token) > LONGEST_TOKEN:
        return None, "unknown"
    row = queryset.filter(token_hash=hash_token(token)).first()
    if row is None:
        return None, "unknown"
    if getattr(row, used_field) is not None:
        return row, "used"
    if row.expires_at <= timezone.now():
        return row, "expired"
    return row, "ok"
