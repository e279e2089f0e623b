"""Django's Redis cache with one Redis client per connection pool instead of one per call.

Django's RedisCacheClient.get_client builds a new ``redis.Redis`` for every get, set or add; with
redis-py 8 building one costs as much as the round trip itself (171 µs each, measured here), and
every hand-out at the desk adds a key after commit (reports.tasks.queue_once). A ``redis.Redis``
may be shared: each command takes a connection from the pool and gives it back.
"""
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _KeptClientCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClientCacheClient
