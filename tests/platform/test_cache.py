"""wsis_portal.cache.RedisCache: Django's Redis cache with one client per pool."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.USING_REDIS, reason="the Redis cache needs Redis")


def test_one_client_is_reused_for_every_call():
    backend = cache._cache

    assert backend.get_client(write=True) is backend.get_client(write=True)
    assert backend.get_client() is backend.get_client(write=True)  # one server: reads go to the writer


def test_it_caches_like_djangos_redis_cache():
    key = f"test-cache-{uuid.uuid4().hex}"
    cache.set(key, {"a": [1, 2]}, 30)
    cache.add(f"{key}-n", 0, 30)
    cache.incr(f"{key}-n")

    assert cache.get(key) == {"a": [1, 2]}
    assert cache.get(f"{key}-n") == 1
    cache.delete_many([key, f"{key}-n"])
    assert cache.get(key) is None
