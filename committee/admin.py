"""Committee sessions, agendas and decisions in the support admin (read-only)."""

from django.contrib import admin

from clasportal.admin_site import SupportAdmin, SupportHistoryAdmin, support_site

from .models import (
    AgendaItem,
    Attendance,
    CommitteeSession,
    Decision,
    ExportJob,
    FinancerDecision,
    FinancingScheme,
    PartnerAccount,
    ReviewNote,
)


@admin.register(CommitteeSession, site=support_site)
class CommitteeSessionAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "caf", "campaign", "date", "place", "status")
    list_filter = ("caf", "status")
    list_select_related = ("caf", "campaign__caf")
    search_fields = ("place", "caf__name")
    date_hierarchy = "date"


@admin.register(AgendaItem, site=support_site)
class AgendaItemAdmin(SupportAdmin):
    list_display = ("__str__", "session", "project", "position")
    list_select_related = ("session__caf", "project")
    search_fields = ("project__title", "project__carrier__legal_name")


@admin.register(Decision, site=support_site)
class DecisionAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "outcome", "collectives_retained", "forecast_ps", "decided_at")
    list_filter = ("outcome",)
    list_select_related = ("item__project", "item__session")
    search_fields = ("item__project__title", "item__project__carrier__legal_name")


@admin.register(FinancerDecision, site=support_site)
class FinancerDecisionAdmin(SupportHistoryAdmin):
    list_display = ("project", "partner", "scheme", "outcome", "amount", "created_at")
    list_filter = ("outcome",)
    list_select_related = ("project", "partner", "scheme")
    search_fields = ("project__title", "partner__name")


@admin.register(FinancingScheme, site=support_site)
class FinancingSchemeAdmin(SupportHistoryAdmin):
    list_display = ("name", "partner", "campaign", "rule", "amount", "minimum", "maximum")
    list_select_related = ("partner", "campaign")
    search_fields = ("name", "partner__name")


@admin.register(ReviewNote, site=support_site)
class ReviewNoteAdmin(SupportAdmin):
    list_display = ("project", "author", "created_at")
    list_select_related = ("project", "author")
    search_fields = ("project__title", "author__email")


@admin.register(ExportJob, site=support_site)
class ExportJobAdmin(SupportAdmin):
    list_display = ("__str__", "caf", "kind", "status", "created_at", "finished_at")
    list_filter = ("kind", "status", "caf")
    list_select_related = ("caf",)
    search_fields = ("caf__name",)
    # Files are served by the portal's own pages, which check who asks.
    exclude = ("file",)


@admin.register(PartnerAccount, site=support_site)
class PartnerAccountAdmin(SupportHistoryAdmin):
    list_display = ("user", "organisation", "function", "created_at")
    list_select_related = ("user", "organisation__caf")
    search_fields = ("user__email", "organisation__name")


@admin.register(Attendance, site=support_site)
class AttendanceAdmin(SupportHistoryAdmin):
    list_display = ("session", "user", "organisation", "status")
    list_filter = ("status",)
    list_select_related = ("session__caf", "user", "organisation")
