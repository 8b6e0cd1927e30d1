from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = "Comité et agrément"

    def ready(self):
        from projects import campaigns
        from projects import documents as project_documents

        from .documents import decision_letters

        if decision_letters not in project_documents.PROVIDERS:
            project_documents.PROVIDERS.append(decision_letters)

        from projects import budget, completeness

        from .scheme_requests import budget_section, scheme_documents

        if scheme_documents not in completeness.REQUIRED_DOCUMENT_HOOKS:
            completeness.REQUIRED_DOCUMENT_HOOKS.append(scheme_documents)

        if budget_section not in budget.SECTIONS:
            budget.SECTIONS.append(budget_section)

        from .calendar import copy_calendar

        if copy_calendar not in campaigns.COPY_HOOKS:
            campaigns.COPY_HOOKS.append(copy_calendar)

        from .cofinancing import copy_schemes

        if copy_schemes not in campaigns.COPY_HOOKS:
            campaigns.COPY_HOOKS.append(copy_schemes)
