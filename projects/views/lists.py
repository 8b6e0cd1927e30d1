from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clasportal.lists import configure_table
from clasportal.scoping import get_visible_or_404

from ..filters import ProjectFilter
from ..forms import IdentityChangeForm, InviteMemberForm
from ..models import Carrier, Project
from ..services import invite_member
from ..tables import CarrierTable, ProjectTable

PAGE_SIZE = 25


def project_list(request):
    if not request.user.has_perm("projects.list_projects"):
        raise PermissionDenied
    projects = (
        Project.objects.visible_to(request.user).for_list().narrow().territories_first(request.user)
    )
    if not request.GET.get("campaign"):
        # Archived campaigns leave the working list; choosing one in the filter finds them.
        projects = projects.filter(campaign__archived_at__isnull=True)
    project_filter = ProjectFilter(request.GET, queryset=projects, user=request.user)
    table = ProjectTable(project_filter.qs)
    configure_table(request, table, PAGE_SIZE)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": project_filter,
            "table": table,
            # Staff export what the list shows (declarations.list_export runs the job).
            "can_export": request.user.has_perm("declarations.export_lists"),
            "list_exports": [("projets", "Projets"), ("collectifs", "Collectifs")],
            "export_formats": ["xlsx", "csv"],
        },
    )


def carrier_list(request):
    if not request.user.has_perm("projects.list_carriers"):
        raise PermissionDenied
    carriers = (
        Carrier.objects.visible_to(request.user)
        .select_related("commune")
        .annotate(projects_count=Count("projects"))
        .order_by("legal_name", "pk")
    )
    table = CarrierTable(carriers)
    configure_table(request, table, PAGE_SIZE)
    return render(
        request,
        "projects/carrier_list.html",
        {
            "table": table,
            "can_create": request.user.has_perm("projects.create_carrier"),
            "can_review_signups": request.user.has_perm("projects.review_signups"),
        },
    )


def _visible_carrier(request, pk):
    return get_visible_or_404(Carrier.objects.select_related("commune", "caf"), request.user, pk=pk)


def carrier_detail(request, pk, invite_form=None, identity_form=None):
    carrier = _visible_carrier(request, pk)
    can_request_change = request.user.has_perm("projects.request_identity_change", carrier)
    members = carrier.memberships.select_related("user")
    projects = carrier.projects.for_list()
    can_invite = request.user.has_perm("projects.invite_member", carrier)
    return render(
        request,
        "projects/carrier_detail.html",
        {
            "carrier": carrier,
            "members": members,
            "projects": projects[:50],
            "can_invite": can_invite,
            "identity_changes": carrier.identity_changes.select_related(
                "requested_by", "decided_by"
            )[:10],
            "can_decide_identity": request.user.has_perm(
                "projects.decide_identity_change", carrier
            ),
            "identity_form": identity_form
            or (IdentityChangeForm(instance=carrier) if can_request_change else None),
            "invite_form": invite_form or (InviteMemberForm() if can_invite else None),
            **_staff_actions(request.user, carrier),
        },
    )


def _staff_actions(user, carrier):
    """What the Caf's staff may do on the carrier's record, and its history for them."""
    can_edit = user.has_perm("projects.edit_carrier", carrier)
    return {
        "can_edit_carrier": can_edit,
        "staff_invite_form": InviteMemberForm() if can_edit else None,
        "can_deactivate": user.has_perm("projects.deactivate_carrier", carrier),
        "can_merge": user.has_perm("projects.merge_carriers", carrier) and carrier.is_active,
        "carrier_history": carrier.history.select_related("history_user")
        .exclude(history_change_reason=None)
        .exclude(history_change_reason="")[:10]
        if can_edit
        else [],
    }


@require_POST
def carrier_invite(request, pk):
    carrier = _visible_carrier(request, pk)
    if not request.user.has_perm("projects.invite_member", carrier):
        raise PermissionDenied
    form = InviteMemberForm(request.POST)
    if form.is_valid():
        try:
            invite_member(
                carrier=carrier,
                by=request.user,
                base_url=request.build_absolute_uri("/")[:-1],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
            return redirect("projects:carrier_detail", pk=carrier.pk)
    return carrier_detail(request, pk, invite_form=form)
