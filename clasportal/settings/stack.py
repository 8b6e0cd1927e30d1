"""make stack-test: the production settings, reached over plain HTTP on the loopback.

Everything else is production's (DEBUG off, PostgreSQL with persistent connections, Redis cache
and broker, a real SMTP server, object storage from CLAS_S3_*): only what needs HTTPS is off,
since the test talks to gunicorn directly, without the TLS proxy."""

from .production import *  # noqa: F403
from .production import STATIC_ROOT, env

STATIC_ROOT = env("STATIC_ROOT", default=str(STATIC_ROOT))
# Hashed names as in production, without the gzip/brotli copies (slow to make, same pages).
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
