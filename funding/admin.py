"""The barème, local rules and stored computations in the support admin (read-only)."""

from django.contrib import admin

from clasportal.admin_site import SupportAdmin, SupportHistoryAdmin, support_site

from .models import Bareme, CafPolicy, FundingComputation


@admin.register(Bareme, site=support_site)
class BaremeAdmin(SupportHistoryAdmin):
    list_display = ("year", "rate", "ceiling", "bonus_children", "bonus_parents", "advances_cap")
    search_fields = ("year", "source")


@admin.register(CafPolicy, site=support_site)
class CafPolicyAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "caf", "min_weeks", "min_children", "max_children")
    list_select_related = ("caf",)
    search_fields = ("caf__name", "caf__departement")


@admin.register(FundingComputation, site=support_site)
class FundingComputationAdmin(SupportAdmin):
    list_display = ("__str__", "project", "kind", "bareme", "right", "is_decision")
    list_filter = ("kind", "is_decision")
    list_select_related = ("project", "bareme")
    search_fields = ("project__title", "fingerprint")
