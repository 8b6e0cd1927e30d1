from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Déclarations"

    def ready(self):
        from . import exports  # noqa: F401  registers the payment exports run by export jobs
