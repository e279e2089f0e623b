"""The Redis cache keeps one client per pool (portal/redis_cache.py) and still behaves as Django's."""
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches


def test_one_client_serves_every_call_and_the_cache_still_works():
    if not settings.REDIS_URL:
        pytest.skip("needs the Redis server the suite runs against")
    # Its own keys, never a flush: the same Redis database is the suite's Celery broker.
    cache, key = caches.create_connection("default"), f"test-redis-cache-{uuid.uuid4()}"
    assert type(cache).__name__ == "KeptClientRedisCache"
    assert cache.add(key, 1, timeout=60) is True
    assert cache.add(key, 1, timeout=60) is False  # reports.tasks.queue_once relies on this
    cache.set(key, {"n": 42}, timeout=60)
    assert cache.get(key) == {"n": 42}
    assert cache.delete(key) and cache.get(key) is None
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads and writes share its pool
