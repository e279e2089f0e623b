"""Counting attempts per key in a time window, in the cache (Redis in production, shared by every
web process): the password reset's limit per address and per client address."""
import hashlib

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `key`; False once more than `limit` were counted in the window. The key is
    hashed, so the cache never holds an e-mail address."""
    name = f"rate:{scope}:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"
    cache.add(name, 0, timeout=window_seconds)  # the window starts at the first attempt
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.add(name, 1, timeout=window_seconds)
        count = 1
    return count <= limit
