"""What a partner account reads (issue 18): the agenda of a session it sits on and the deposited
file of each project on it — the request, its collectives and budget, the notes shared with the
partners; never an attachment (RIB, statutes), a draft or an internal note. What it may see is
decided by `clasportal.rules` (the `session` path of each model's scope)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from clasportal.scoping import get_visible_or_404
from projects.budget import line_label
from projects.models import Collective, Project

from ..models import AgendaItem, CommitteeSession, ReviewNote


def _session(request, pk):
    session = get_visible_or_404(
        CommitteeSession.objects.select_related("caf", "campaign"), request.user, pk=pk
    )
    if not request.user.has_perm("committee.read_agenda", session):
        raise PermissionDenied
    return session


def partner_session(request, pk):
    session = _session(request, pk)
    items = (
        AgendaItem.objects.visible_to(request.user)
        .filter(session=session, project__in=Project.objects.visible_to(request.user))
        .select_related("project__carrier__commune", "decision")
        .with_collective_figures()
        .order_by("position", "pk")
    )
    rows = [(item, getattr(item, "decision", None)) for item in items]
    return render(
        request,
        "committee/partners/session.html",
        {"session": session, "rows": rows, "attendance": session.attendance_groups},
    )


def partner_project(request, pk, project_pk):
    session = _session(request, pk)
    item = get_object_or_404(
        AgendaItem.objects.visible_to(request.user).select_related(
            "project__carrier__commune", "project__campaign", "decision"
        ),
        session=session,
        project__in=Project.objects.visible_to(request.user),
        project_id=project_pk,
    )
    project = item.project
    lines = list(project.budget_lines.order_by("account", "financer"))
    charges = [(line_label(line), line.amount) for line in lines if line.is_charge]
    products = [(line_label(line), line.amount) for line in lines if not line.is_charge]
    return render(
        request,
        "committee/partners/project.html",
        {
            "session": session,
            "item": item,
            "decision": getattr(item, "decision", None),
            "project": project,
            "collectives": Collective.objects.visible_to(request.user)
            .filter(project=project)
            .select_related("commune"),
            "charges": charges,
            "products": products,
            "charges_total": sum((amount for _, amount in charges), start=Decimal(0)),
            "products_total": sum((amount for _, amount in products), start=Decimal(0)),
            "notes": ReviewNote.objects.visible_to(request.user)
            .filter(project=project)
            .select_related("author"),
        },
    )
