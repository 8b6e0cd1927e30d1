"""The shared cache (Redis in production) as an optimisation, never as a point of failure.

Redis also carries the Celery broker; when it stops, pages must keep answering: a read is a miss,
a write is skipped, each logged once per minute and process. Counters (`incr`/`decr`, used by the
rate limits) still raise, and their one caller (`clasportal.accounts`) decides what a missing count
means. Short socket timeouts keep an unreachable host (not only a refused port) from holding a page.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_LOG_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._last_warning = 0.0

    def _unreachable(self, operation):
        now = time.monotonic()
        if now - self._last_warning >= _LOG_EVERY_SECONDS:
            self._last_warning = now
            logger.warning("cache unreachable (%s): served without it", operation, exc_info=True)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE:
            self._unreachable("get")
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE:
            self._unreachable("get_many")
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE:
            self._unreachable("has_key")
            return False

    def set(self, key, value, timeout=None, version=None):  # noqa: A003 - Django's name
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE:
            self._unreachable("set")

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE:
            self._unreachable("set_many")
            return list(data)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE:
            self._unreachable("add")
            return False

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE:
            self._unreachable("touch")
            return False

    def delete(self, key, version=None):
        # A failed invalidation is logged loudly: a stale entry lives until its timeout.
        try:
            return super().delete(key, version)
        except UNREACHABLE:
            logger.error("cache key %s not invalidated: cache unreachable", key)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNREACHABLE:
            logger.error("%d cache keys not invalidated: cache unreachable", len(list(keys)))
            return None
