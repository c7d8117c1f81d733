"""Django's Redis cache backend, with one redis-py client per connection pool instead of one
per call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache operation,
and its constructor copies some 170 response callbacks: about 50 µs each time, a sizeable
part of a cached page's cost (portal/page_cache.py). A `redis.Redis` holds no connection of its
own, only the pool (which is thread-safe and notices a fork), so one client per pool serves
every call. Everything else — serialisation, pools, options — is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django keeps its pools for the life of the process, so their ids stay unique.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
