"""Values that do not change from one request to the next, kept in the shared cache (Redis in
production, so every gunicorn worker and web node sees the same) until what they are computed
from changes: each cached value has a key function and receivers that forget it when its rows
are saved or deleted (explicit invalidation, tested in tests/test_bench.py).

Forgetting happens at once and again when the transaction commits: a request that reads the old
rows between the save and the commit cannot leave a stale value behind."""

from django.core.cache import cache
from django.db import transaction

MISSING = object()


def remember(key, compute, timeout):
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value


def forget(*keys):
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# The unread notices of the menu's badge, per person (clasportal.context_processors).
UNREAD_TIMEOUT = 10 * 60


def unread_key(user_id):
    return f"clas:unread-notices:{user_id}"


def connect():
    """Called once by ClasportalConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    from .models import Notice

    post_save.connect(_notice_changed, sender=Notice, dispatch_uid="clas-unread-saved")
    post_delete.connect(_notice_changed, sender=Notice, dispatch_uid="clas-unread-deleted")


def _notice_changed(sender, instance, **kwargs):
    forget(unread_key(instance.user_id))
