"""Local development: SQLite in the checkout, Celery eager, mails on the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# The portal's own French 404 rather than Django's English debug page (issue 20).
MIDDLEWARE = [*MIDDLEWARE, "clasportal.middleware.PortalNotFoundMiddleware"]  # noqa: F405
