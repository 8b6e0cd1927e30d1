"""bench/compare.py: the production settings, served over plain HTTP on the loopback.

Everything that costs CPU per page is production's: DEBUG off, PostgreSQL with persistent and
checked connections, the Redis cache, hashed static names, every middleware. Only what needs
HTTPS is off (gunicorn is reached directly, without the TLS proxy), and the bench adds two
things of its own, never in production URLs: the floor page (a minimal logged-in page inside
base.html, the yardstick of every figure) and a header giving each response's server CPU time.
"""

from .production import *  # noqa: F403
from .production import MIDDLEWARE, STATIC_ROOT, env

STATIC_ROOT = env("STATIC_ROOT", default=str(STATIC_ROOT))
# Hashed names as in production, without the gzip/brotli copies (slow to make, same pages).
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Reached at 127.0.0.1 without a proxy: X-Forwarded-For is not trusted.
CLAS_TRUSTED_PROXY_COUNT = 0

# The floor page, only here: clasportal/bench.py includes the portal's URLs and adds it.
ROOT_URLCONF = "clasportal.bench"
# Outermost: the CPU time of the whole request, middleware included (Server-Timing header).
MIDDLEWARE = ["clasportal.bench.ServerTimingMiddleware", *MIDDLEWARE]
