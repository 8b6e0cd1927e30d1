"""Declarations, justifications and payments in the support admin (read-only)."""

from django.contrib import admin

from clasportal.admin_site import SupportAdmin, SupportHistoryAdmin, support_site

from .models import Declaration, DeclarationDocument, DeclarationLine, Justification, Payment


@admin.register(Declaration, site=support_site)
class DeclarationAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "project", "kind", "status", "submitted_at", "validated_at")
    list_filter = ("kind", "status")
    list_select_related = ("project__carrier",)
    search_fields = ("project__title", "project__carrier__legal_name", "project__carrier__siret")


@admin.register(DeclarationLine, site=support_site)
class DeclarationLineAdmin(SupportHistoryAdmin):
    list_display = ("declaration", "account", "financer", "amount")
    list_select_related = ("declaration__project",)
    search_fields = ("declaration__project__title", "account")


@admin.register(Justification, site=support_site)
class JustificationAdmin(SupportHistoryAdmin):
    list_display = ("declaration", "code", "field", "status", "decided_at")
    list_filter = ("status",)
    list_select_related = ("declaration__project",)
    search_fields = ("declaration__project__title", "code", "text")


@admin.register(DeclarationDocument, site=support_site)
class DeclarationDocumentAdmin(SupportAdmin):
    list_display = ("original_name", "declaration", "kind", "uploaded_at")
    list_select_related = ("declaration__project",)
    search_fields = ("original_name", "declaration__project__title")
    # Files are served by the portal's own pages, which check who asks.
    exclude = ("file",)


@admin.register(Payment, site=support_site)
class PaymentAdmin(SupportHistoryAdmin):
    list_display = ("__str__", "project", "kind", "amount", "status", "payee_siret", "updated_at")
    list_filter = ("kind", "status")
    list_select_related = ("project__carrier",)
    search_fields = ("project__title", "payee_name", "payee_siret")
