"""Redis down is a cache miss, not an error page (clasportal.cache)."""

import socket
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from clasportal.cache import ResilientRedisCache


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released on close: nothing listens there


@pytest.fixture
def down_cache():
    return ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"KEY_PREFIX": "t"})


def test_reads_are_misses_and_writes_are_skipped_when_redis_is_down(down_cache, caplog):
    started = time.monotonic()
    assert down_cache.get("policy:1", "absent") == "absent"
    assert down_cache.get_many(["a", "b"]) == {}
    assert down_cache.has_key("a") is False
    down_cache.set("a", 1)
    assert down_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert down_cache.add("a", 1) is False
    assert down_cache.get_or_set("menu", lambda: 42) == 42
    assert down_cache.delete("a") is False
    assert time.monotonic() - started < 5
    assert "cache unreachable" in caplog.text
    assert "not invalidated" in caplog.text


def test_counters_still_raise_for_their_caller_to_decide(down_cache):
    with pytest.raises(RedisConnectionError):
        down_cache.incr("rate")


def test_production_uses_the_resilient_cache():
    import ast
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "clasportal/settings/production.py"
    assert "clasportal.cache.ResilientRedisCache" in {
        node.value
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Constant)
    }
