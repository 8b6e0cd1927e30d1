"""The advisor's review page and its POST actions (each through the workflow service)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clasportal.scoping import get_visible_or_404
from projects import workflow
from projects.completeness import budget_summary, simulated_funding
from projects.models import Collective, Project
from projects.steps import STEP_TITLES

from .. import review as service
from ..forms import (
    BonusDecisionForm,
    NoteForm,
    OtherFinancerForm,
    ProposeForm,
    ReplyForm,
    RequestChangesForm,
)
from .rural import rural_context


def _staff_project(request, pk):
    queryset = Project.objects.select_related(
        "carrier__commune__territory", "campaign__caf", "previous__campaign"
    )
    project = get_visible_or_404(queryset, request.user, pk=pk)
    if not request.user.has_perm("committee.view_queue"):
        raise PermissionDenied
    return project


def _figures(project):
    if project is None:
        return None
    collectives = list(project.collectives.all())
    funding = simulated_funding(project)
    return {
        "collectives": len(collectives),
        "children": sum(c.planned_children for c in collectives),
        "weeks": min((c.planned_weeks for c in collectives), default=0),
        "budget": budget_summary(project),
        "ps": funding.forecast.ps if funding else None,
        "right": funding.forecast.right if funding else None,
    }


def _bonus_refused(project):
    """Which requested bonus the advisor refused (its last decision): « refusé », not « en
    attente » — before any decision a bonus is only requested."""
    last = {}
    decisions = project.events.filter(action__in=["grant_bonus", "refuse_bonus"]).order_by(
        "-created_at", "-id"
    )
    for event in decisions:
        which = "children" if "children" in (event.data or {}).get("field", "") else "parents"
        last.setdefault(which, event.action == "refuse_bonus")
    return {"children": last.get("children", False), "parents": last.get("parents", False)}


def review(request, pk, forms=None):
    project = _staff_project(request, pk)
    # Read once for the page: the figures, the simulation, the proposal form and the lists all
    # ask the project for its collectives and budget lines (three reads and three counts).
    prefetch_related_objects(
        [project],
        Prefetch(
            "collectives",
            queryset=Collective.objects.select_related("commune").prefetch_related("intervenants"),
        ),
        "budget_lines",
    )
    forms = forms or {}
    can_review = request.user.has_perm("committee.review", project)
    return render(
        request,
        "committee/review.html",
        {
            "project": project,
            "current": _figures(project),
            "previous": _figures(project.previous),
            "collectives": project.collectives.all(),
            "lines": project.budget_lines.all(),
            "attachments": project.attachments.select_related("document_type"),
            "notes": project.review_notes.select_related("author"),
            "others": project.financer_decisions.select_related("partner", "scheme"),
            "events": project.events.select_related("actor")[:30],
            # The exchanges with the carrier, answered from here (one place for the advisor).
            "thread": project.messages.select_related("author"),
            "message_form": ReplyForm(),
            "can_post_message": request.user.has_perm("projects.post_message", project),
            "reopened": [
                t for s, t in STEP_TITLES.items() if s in (project.reopened_sections or [])
            ],
            "actions": workflow.allowed_actions(project, request.user),
            "can_review": can_review,
            "can_decide_bonus": can_review and project.status in service.BONUS_STATUSES,
            "changes_form": forms.get("changes")
            or RequestChangesForm(initial={"sections": project.reopened_sections or []}),
            "propose_form": forms.get("propose")
            or ProposeForm(
                initial={"favourable": "1", "collectives": len(project.collectives.all())}
            ),
            "note_form": forms.get("note") or NoteForm(),
            "other_form": forms.get("other") or OtherFinancerForm(user=request.user),
            "bonus_error": forms.get("bonus_error"),
            "bonus_refused": _bonus_refused(project),
            # Bonuses asked during the year (issue 17), decided here like the request's.
            "in_year_bonus_requests": project.in_year_bonus_requests.select_related(
                "requested_by", "decided_by"
            ),
            "can_decide_in_year_bonus": request.user.has_perm("committee.decide_bonus", project),
            **rural_context(project, can_review, forms),
        },
        status=200,
    )


def _act(request, project, call):
    try:
        call()
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
        return False
    return True


def _require_review(request, project):
    if not request.user.has_perm("committee.review", project):
        raise PermissionDenied


@require_POST
def review_start(request, pk):
    project = _staff_project(request, pk)
    _require_review(request, project)
    if _act(request, project, lambda: workflow.fire(project.pk, "start_review", by=request.user)):
        messages.success(request, "Instruction commencée.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_take_back(request, pk):
    project = _staff_project(request, pk)
    _require_review(request, project)
    if _act(request, project, lambda: service.take_back(project.pk, by=request.user)):
        messages.success(request, "Demande reprise en instruction : le porteur en est informé.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_request_changes(request, pk):
    project = _staff_project(request, pk)
    _require_review(request, project)
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return review(request, pk, forms={"changes": form})
    data = form.cleaned_data
    if _act(
        request,
        project,
        lambda: service.request_changes(
            project.pk, by=request.user, sections=data["sections"], message=data["message"]
        ),
    ):
        messages.success(request, "Demande de modifications envoyée au porteur.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_propose(request, pk):
    project = _staff_project(request, pk)
    _require_review(request, project)
    form = ProposeForm(request.POST, max_collectives=project.collectives.count())
    if not form.is_valid():
        return review(request, pk, forms={"propose": form})
    data = form.cleaned_data
    if _act(
        request,
        project,
        lambda: service.propose(
            project.pk,
            by=request.user,
            favourable=data["favourable"],
            collectives=data.get("collectives"),
            reason=data.get("reason") or "",
        ),
    ):
        messages.success(request, "Proposition transmise au comité.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_bonus(request, pk):
    project = _staff_project(request, pk)
    _require_review(request, project)
    form = BonusDecisionForm(request.POST)
    if not form.is_valid():
        return review(request, pk, forms={"bonus_error": "Indiquez le motif de la décision."})
    data = form.cleaned_data
    if _act(
        request,
        project,
        lambda: service.decide_bonus(
            project.pk,
            by=request.user,
            which=data["which"],
            granted=data["granted"],
            reason=data["reason"],
        ),
    ):
        messages.success(request, "Décision sur le bonus enregistrée.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_note(request, pk):
    project = _staff_project(request, pk)
    if not request.user.has_perm("committee.add_note", project):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        return review(request, pk, forms={"note": form})
    service.add_note(project, by=request.user, **form.cleaned_data)
    messages.success(request, "Note interne ajoutée.")
    return redirect("committee:review", pk=project.pk)


@require_POST
def review_other_financer(request, pk):
    project = _staff_project(request, pk)
    if not request.user.has_perm("committee.record_other_financer", project):
        raise PermissionDenied
    form = OtherFinancerForm(request.POST, user=request.user)
    if not form.is_valid():
        return review(request, pk, forms={"other": form})
    service.record_other_financer(project, by=request.user, **form.cleaned_data)
    messages.success(request, "Décision du financeur enregistrée.")
    return redirect("committee:review", pk=project.pk)
