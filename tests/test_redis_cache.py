"""The Redis cache backend makes one client per connection pool and shares it between threads."""

import uuid
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache, caches

from config.redis_cache import RedisCache


def test_one_client_serves_every_call_from_every_thread():
    assert isinstance(caches["default"], RedisCache)
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client

    key = f"counter-{uuid.uuid4()}"
    cache.set(key, 0)

    def bump(_) -> None:
        for _ in range(200):
            cache.incr(key)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bump, range(8)))
    assert cache.get(key) == 1600
    cache.delete(key)
