from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = "Comité et agrément"

    def ready(self):
        from projects import campaigns

        from .calendar import copy_calendar

        if copy_calendar not in campaigns.COPY_HOOKS:
            campaigns.COPY_HOOKS.append(copy_calendar)
