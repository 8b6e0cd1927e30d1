"""The portal's own models in the support admin (read-only, see clasportal.admin_site)."""

from django.contrib import admin

from .accounts import redact_one_time_links
from .admin_site import SupportAdmin, SupportHistoryAdmin, support_site
from .models import Caf, Commune, Notice, OutboundEmail, StaffProfile, Territory, User


@admin.register(Caf, site=support_site)
class CafAdmin(SupportHistoryAdmin):
    list_display = ("name", "number", "departement", "contact_email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "number", "departement", "contact_email")


@admin.register(Territory, site=support_site)
class TerritoryAdmin(SupportHistoryAdmin):
    list_display = ("name", "caf")
    list_filter = ("caf",)
    list_select_related = ("caf",)
    search_fields = ("name", "caf__name")


@admin.register(Commune, site=support_site)
class CommuneAdmin(SupportHistoryAdmin):
    list_display = ("name", "insee_code", "postcode", "caf", "territory", "is_rural", "is_zrr")
    list_filter = ("caf", "is_rural", "is_zrr", "is_qpv")
    list_select_related = ("caf", "territory")
    search_fields = ("name", "insee_code", "postcode")


@admin.register(User, site=support_site)
class UserAdmin(SupportHistoryAdmin):
    list_display = ("email", "first_name", "last_name", "is_national_admin", "is_active")
    list_filter = ("is_active", "is_national_admin")
    search_fields = ("email", "first_name", "last_name")
    # A password hash and Django's own permission tables tell support nothing.
    exclude = ("password", "groups", "user_permissions", "is_staff", "is_superuser")


@admin.register(StaffProfile, site=support_site)
class StaffProfileAdmin(SupportHistoryAdmin):
    list_display = ("user", "caf", "role")
    list_filter = ("caf", "role")
    list_select_related = ("user", "caf")
    search_fields = ("user__email", "user__last_name", "caf__name")


@admin.register(OutboundEmail, site=support_site)
class OutboundEmailAdmin(SupportAdmin):
    list_display = ("subject", "caf", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "caf")
    list_select_related = ("caf",)
    search_fields = ("subject", "recipients")
    date_hierarchy = "created_at"
    # A pending invitation still holds its password link: support reads the text without it.
    exclude = ("body",)
    readonly_fields = ("body_without_links",)

    @admin.display(description="texte (liens de mot de passe retirés)")
    def body_without_links(self, email):
        return redact_one_time_links(email.body)


@admin.register(Notice, site=support_site)
class NoticeAdmin(SupportAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("title", "user__email")
