from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Déclarations"

    def ready(self):
        from projects import completeness

        from . import bilans, exports  # noqa: F401  exports registers the payment export jobs

        completeness.DEPOSIT_CHECKS.append(bilans.last_bilan_missing)
