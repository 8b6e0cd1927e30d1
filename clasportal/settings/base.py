"""Settings shared by every environment; values come from environment variables."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-clas-portal")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The support admin (clasportal.admin_site, at /support/): each app's admin.py registers
    # its models on it; the national administrator reads them, nobody edits there.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clasportal",
    "projects",
    "funding",
    "declarations",
    "committee",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clasportal.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session holds a device that accepted a code.
    "django_otp.middleware.OTPMiddleware",
    # Before any middleware or view reads the body: an oversized request is refused unread.
    "clasportal.middleware.RequestBodyLimitMiddleware",
    # A NUL character in a query parameter is refused before any filter reads it.
    "clasportal.middleware.QueryStringMiddleware",
    # Denied by default: every view needs a session unless it opts out (login, healthz).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Then the second factor: an enrolled person gives a code, one required to enrol does so.
    "clasportal.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clasportal.urls"
WSGI_APPLICATION = "clasportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clasportal.context_processors.navigation",
            ],
            # unlocalize everywhere: a primary key in an id, a form value or a link's query
            # is written bare, never « 1 463 » (USE_THOUSAND_SEPARATOR).
            "builtins": ["clasportal.templatetags.clas", "django.templatetags.l10n"],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the heavy aggregates (figures page, exports) for longer than
    # they run: 2 s of compilation for a 0,35 s national figures query (issue 21).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options"), "-c jit=off"])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clasportal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, fed the login name stripped and in lower case.
    "clasportal.accounts.EmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after eight idle hours and with the browser. The idle clock is wound by
# clasportal.middleware.SlidingSessionMiddleware at most every SESSION_REFRESH_SECONDS (one
# write per person every five minutes instead of one per page).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
# The lock falls on the (login name, client address) pair: failures on made-up names from one
# address (every user behind a Caf's proxy) lock no one else out, and failures on one account
# from many addresses do not lock its owner out of their own desk.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "clasportal.accounts.axes_username"
AXES_CLIENT_IP_CALLABLE = "clasportal.accounts.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# How many reverse proxies in front of Django append to X-Forwarded-For (production: the nginx
# of docker-compose.yml). 0 in development: the header is then ignored, as a client could forge it.
CLAS_TRUSTED_PROXY_COUNT = env.int("CLAS_TRUSTED_PROXY_COUNT", default=0)

# Second factor (TOTP, clasportal/second_factor.py). Required for a Caf's staff when the Caf turns
# it on (Caf.requires_second_factor) or for one person (StaffProfile.requires_second_factor), and
# for the national admin where this is True (always in production).
CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN = env.bool(
    "CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN", default=False
)
CLAS_OTP_MAX_FAILURES = 5  # wrong codes in a row before verification is locked...
CLAS_OTP_LOCKOUT_SECONDS = 15 * 60  # ...for this long (counted in the cache, per person)
CLAS_OTP_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "Portail Clas"

# "Mot de passe oublié ?": at most so many requests per hour for one address and from one client.
CLAS_PASSWORD_RESET_PER_EMAIL = env.int("CLAS_PASSWORD_RESET_PER_EMAIL", default=3)
CLAS_PASSWORD_RESET_PER_IP = env.int("CLAS_PASSWORD_RESET_PER_IP", default=10)
CLAS_PASSWORD_RESET_WINDOW = 3600  # seconds

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments, receipts, exports and letters: private files, read and written only through
# Django's storage API and served only by the views that check permissions (FileResponse over
# storage.open), never by a public URL. Local disk by default (make run); an S3-compatible object
# store when CLAS_S3_BUCKET is set, so that every web node and worker sees the same files.
CLAS_S3_BUCKET = env("CLAS_S3_BUCKET", default="")
if CLAS_S3_BUCKET:
    from botocore.config import Config as _S3Config

    _PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CLAS_S3_BUCKET,
            "endpoint_url": env("CLAS_S3_ENDPOINT_URL", default=None),
            "region_name": env("CLAS_S3_REGION", default=None),
            "access_key": env("CLAS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("CLAS_S3_SECRET_ACCESS_KEY", default=None),
            "location": env("CLAS_S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,  # storage.url() would only ever give a signed, short link
            "querystring_expire": 60,
            "file_overwrite": False,  # two uploads named alike never replace each other
            "client_config": _S3Config(
                # "path" for MinIO, Ceph or moto; "auto" lets botocore choose.
                s3={"addressing_style": env("CLAS_S3_ADDRESSING_STYLE", default="auto")},
                connect_timeout=env.int("CLAS_S3_CONNECT_TIMEOUT", default=3),
                read_timeout=env.int("CLAS_S3_READ_TIMEOUT", default=20),
                retries={"max_attempts": env.int("CLAS_S3_MAX_ATTEMPTS", default=2)},
            ),
        },
    }
else:
    _PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))},
    }
STORAGES = {
    "default": _PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Common widgets written in Python, the same markup (clasportal/form_renderer.py).
FORM_RENDERER = "clasportal.form_renderer.QuickWidgetRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged once it has run, not when a worker takes it: a worker killed mid-task
# (OOM, SIGKILL, lost node) leaves it to another one. Every task is idempotent (a finished export
# or a sent e-mail is never redone), so running twice is harmless. A Redis broker hands an
# unacknowledged task again after the visibility timeout: longer than the longest task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for tasks whose visibility timeout ran out (interval × throttle
    # seconds; kombu's default: 100 s).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How often the beat sends again what the broker could not take (outbox e-mails, pending exports)
# and how old such a row must be before it is sent again.
CLAS_REQUEUE_EVERY_SECONDS = env.int("CLAS_REQUEUE_EVERY_SECONDS", default=120)
CLAS_REQUEUE_AFTER_SECONDS = env.int("CLAS_REQUEUE_AFTER_SECONDS", default=60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "retry-outbound-emails": {
        "task": "clasportal.tasks.retry_outbound_emails",
        "schedule": CLAS_REQUEUE_EVERY_SECONDS,
    },
    "requeue-pending-exports": {
        "task": "committee.tasks.requeue_pending_exports",
        "schedule": CLAS_REQUEUE_EVERY_SECONDS,
    },
    "send-reminders": {
        "task": "declarations.tasks.send_reminders",
        "schedule": 3600,
    },
    "send-notice-digests": {
        "task": "declarations.tasks.send_notice_digests",
        "schedule": 24 * 3600,
    },
    "purge-expired-sessions": {
        "task": "clasportal.tasks.clear_expired_sessions",
        "schedule": 24 * 3600,
    },
}

# The portal's public address, for links in e-mails sent without a request (reminders).
CLAS_BASE_URL = env("CLAS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A deposited request waiting longer than this for instruction is recalled to the advisors.
CLAS_ADVISOR_WAITING_DAYS = env.int("CLAS_ADVISOR_WAITING_DAYS", default=15)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Portail Clas <ne-pas-repondre@clas.example>"
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
AXES_VERBOSE = False
IS_PRODUCTION = False
CLAS_UPLOAD_MAX_BYTES = env.int("CLAS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A request body above one file plus the form around it is refused (413) before it is read;
# deploy/nginx.conf (client_max_body_size) refuses it before it even reaches gunicorn.
CLAS_REQUEST_MAX_BYTES = CLAS_UPLOAD_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CSRF_FAILURE_VIEW = "clasportal.views.csrf_failure"
