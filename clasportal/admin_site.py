"""Django's admin for support staff, at /support/: the national administrator only, read-only.

Support reads what the portal holds to answer a Caf or a carrier (who changed what, when, which
e-mail left): every domain model is listed and searchable, with its django-simple-history
history. Nothing is added, changed or deleted here: each change goes through the portal's own
screens, where its rules, transitions and traces live. Each app registers its models on
`support_site` in its own `admin.py` (found by the admin's autodiscovery)."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import URLResolver, reverse, reverse_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import rules


class SupportAdminSite(admin.AdminSite):
    site_header = "Portail Clas — support (lecture seule)"
    site_title = "Support du portail Clas"
    index_title = "Données du portail"
    site_url = "/"

    def has_permission(self, request):
        return bool(request.user.is_active and rules.can(request.user, "support.use_admin"))

    def admin_view(self, view, cacheable=False):
        """A signed-in person without the permission gets a 403, not the admin's own login form
        (the portal has one login, with its lockout and second factor)."""
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # The admin's views opt out of LoginRequiredMiddleware (the admin has its own login):
            # send anonymous visitors to the portal's.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def get_urls(self):
        """LoginRequiredMiddleware sends anonymous visitors to a view's `login_url`, which the
        admin sets to its own login page: the portal's instead."""
        urls = super().get_urls()
        pending = list(urls)
        while pending:
            pattern = pending.pop()
            if isinstance(pattern, URLResolver):
                pending.extend(pattern.url_patterns)
            elif hasattr(pattern.callback, "login_url"):
                pattern.callback.login_url = reverse_lazy("login")
        return urls

    @login_not_required
    def login(self, request, extra_context=None):
        """The portal's login page, then back to the admin."""
        return redirect_to_login(
            request.GET.get("next") or reverse("support:index", current_app=self.name)
        )

    def password_change(self, request, extra_context=None):
        return redirect("password_change")


support_site = SupportAdminSite(name="support")


class SupportAdmin(admin.ModelAdmin):
    """Read-only: lists, search and detail pages; no action, no add, no change, no delete."""

    actions = None
    list_per_page = 50
    show_full_result_count = False

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupportHistoryAdmin(SupportAdmin, SimpleHistoryAdmin):
    """Read-only, with the model's history (who, when, each field before → after); the
    historical versions are shown, never reverted."""
