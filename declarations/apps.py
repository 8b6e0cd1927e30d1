from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = "Déclarations"

    def ready(self):
        from projects import completeness

        # exports and list_exports register the builders of their background export jobs.
        from . import bilans, exports, list_exports  # noqa: F401

        if bilans.last_bilan_missing not in completeness.DEPOSIT_CHECKS:
            completeness.DEPOSIT_CHECKS.append(bilans.last_bilan_missing)
        from projects import documents as project_documents

        from .documents import declaration_documents

        if declaration_documents not in project_documents.PROVIDERS:
            project_documents.PROVIDERS.append(declaration_documents)
        # Issue 17: what a revised decision does to declarations and payments.
        from projects import consequences

        from .agreement_cascade import Provider

        if Provider not in consequences.PROVIDERS:
            consequences.PROVIDERS.append(Provider)
        # The archived campaigns' figures, forgotten when what they are computed from changes.
        from . import figures_cache

        figures_cache.connect()
