"""Carriers, campaigns and projects in the support admin (read-only, clasportal.admin_site)."""

from django.contrib import admin

from clasportal.admin_site import SupportAdmin, SupportHistoryAdmin, support_site

from .models import (
    Attachment,
    BudgetLine,
    Campaign,
    Carrier,
    CarrierIdentityChange,
    CarrierMembership,
    CarrierSignup,
    Collective,
    DocumentType,
    Intervenant,
    Project,
    ProjectEvent,
    ProjectMessage,
    WindowException,
)


@admin.register(Carrier, site=support_site)
class CarrierAdmin(SupportHistoryAdmin):
    list_display = ("legal_name", "siret", "kind", "caf", "commune", "is_active")
    list_filter = ("caf", "kind", "is_active")
    list_select_related = ("caf", "commune")
    search_fields = ("legal_name", "siret", "email", "contact_name")


@admin.register(CarrierMembership, site=support_site)
class CarrierMembershipAdmin(SupportHistoryAdmin):
    list_display = ("user", "carrier", "accepted_at", "created_at")
    list_select_related = ("user", "carrier")
    search_fields = ("user__email", "user__last_name", "carrier__legal_name", "carrier__siret")


@admin.register(CarrierIdentityChange, site=support_site)
class CarrierIdentityChangeAdmin(SupportHistoryAdmin):
    list_display = ("carrier", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("carrier",)
    search_fields = ("carrier__legal_name", "carrier__siret")


@admin.register(CarrierSignup, site=support_site)
class CarrierSignupAdmin(SupportHistoryAdmin):
    list_display = ("legal_name", "siret", "caf", "email", "status", "created_at")
    list_filter = ("status", "caf")
    list_select_related = ("caf",)
    search_fields = ("legal_name", "siret", "email", "last_name")


@admin.register(Campaign, site=support_site)
class CampaignAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "caf", "year", "opens_on", "closes_on", "renewals_only")
    list_filter = ("caf", "year")
    list_select_related = ("caf",)
    search_fields = ("caf__name", "year")


@admin.register(DocumentType, site=support_site)
class DocumentTypeAdmin(SupportHistoryAdmin):
    list_display = ("name", "caf", "campaign", "is_required")
    list_filter = ("caf", "is_required")
    list_select_related = ("caf", "campaign")
    search_fields = ("name",)


@admin.register(WindowException, site=support_site)
class WindowExceptionAdmin(SupportHistoryAdmin):
    list_display = ("campaign", "carrier")
    list_select_related = ("campaign__caf", "carrier")
    search_fields = ("carrier__legal_name",)


@admin.register(Project, site=support_site)
class ProjectAdmin(SupportHistoryAdmin):
    list_display = ("title", "carrier", "campaign", "status", "situation")
    list_filter = ("status", "campaign__caf", "campaign__year")
    list_select_related = ("carrier", "campaign__caf")
    search_fields = ("title", "carrier__legal_name", "carrier__siret")


@admin.register(Collective, site=support_site)
class CollectiveAdmin(SupportHistoryAdmin):
    list_display = ("name", "project", "school_level", "commune")
    list_filter = ("school_level",)
    list_select_related = ("project", "commune")
    search_fields = ("name", "project__title", "commune__name")


@admin.register(Intervenant, site=support_site)
class IntervenantAdmin(SupportHistoryAdmin):
    list_display = ("full_name", "collective")
    list_select_related = ("collective",)
    search_fields = ("full_name", "collective__name")


@admin.register(BudgetLine, site=support_site)
class BudgetLineAdmin(SupportHistoryAdmin):
    list_display = ("project", "account", "financer", "amount")
    list_select_related = ("project",)
    search_fields = ("project__title", "account")


@admin.register(ProjectEvent, site=support_site)
class ProjectEventAdmin(SupportAdmin):
    list_display = ("created_at", "caf", "project", "subject", "action", "actor", "to_status")
    list_filter = ("caf", "action", "subject")
    list_select_related = ("caf", "project", "actor")
    search_fields = ("project__title", "actor__email", "action")
    date_hierarchy = "created_at"


@admin.register(ProjectMessage, site=support_site)
class ProjectMessageAdmin(SupportAdmin):
    list_display = ("__str__", "project", "author", "created_at")
    list_select_related = ("project", "author")
    search_fields = ("project__title", "author__email")


@admin.register(Attachment, site=support_site)
class AttachmentAdmin(SupportAdmin):
    list_display = ("original_name", "project", "document_type", "uploaded_at")
    list_select_related = ("project", "document_type")
    search_fields = ("original_name", "project__title")
    # Files are served by the portal's own pages, which check who asks.
    exclude = ("file",)
