"""Production: PostgreSQL, Redis, Celery workers, HTTPS only. Refuses to start half-configured."""

import os

from django.core.exceptions import ImproperlyConfigured

for _required in ("SECRET_KEY", "DATABASE_URL"):
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"La variable d'environnement {_required} est obligatoire.")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE  # noqa: F405
# A persistent connection is checked before a request reuses it: after a PostgreSQL restart or
# fail-over the pages answer again without restarting gunicorn.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
IS_PRODUCTION = True
# Behind the nginx of docker-compose.yml: one proxy appends the client's address.
CLAS_TRUSTED_PROXY_COUNT = env.int("CLAS_TRUSTED_PROXY_COUNT", default=1)

# The national admin changes the barème of every Caf: a password alone is not enough.
CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN = True

# Password links leave by e-mail only: a console, file, memory or dummy backend would put them
# in the logs or nowhere.
_REFUSED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
if EMAIL_BACKEND in _REFUSED_EMAIL_BACKENDS:  # noqa: F405
    raise ImproperlyConfigured(
        "La variable d'environnement EMAIL_URL doit désigner un vrai serveur d'envoi "
        "(ex. smtp+tls://utilisateur:motdepasse@smtp.exemple.fr:587) : "
        "les liens de mot de passe ne doivent pas finir dans les journaux."
    )

# Shared by every gunicorn worker, so the rate limits count across them. Redis down is a miss,
# not an error page (clasportal.cache).
CACHES = {
    "default": {
        "BACKEND": "clasportal.cache.ResilientRedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),  # noqa: F405
        "KEY_PREFIX": "clas",
    }
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
