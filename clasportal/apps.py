from django.apps import AppConfig


class ClasportalConfig(AppConfig):
    name = "clasportal"
    verbose_name = "Organisations et comptes"

    def ready(self):
        from . import audit  # noqa: F401  registers the audit export run by export jobs
        from .cached import connect

        connect()  # the cached values' invalidation
