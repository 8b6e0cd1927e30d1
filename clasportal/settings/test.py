"""Tests: PostgreSQL from DATABASE_URL (make test starts one), eager Celery, fast hashing."""

from .base import *  # noqa: F403
from .base import TEMPLATES, env

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
# The tests that need it turn it on; the others log the national admin in with a password.
CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN = False


class _FailOnUndefined(str):
    """An undefined template variable is a bug: fail the test that rendered it."""

    def __mod__(self, other):
        raise AssertionError(f"Variable de gabarit indéfinie : {other}")

    def __contains__(self, item):
        return item == "%s"


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _FailOnUndefined("%s")
