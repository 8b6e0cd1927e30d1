"""Starting a request, and the message thread between the carrier and the Caf."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import messenger

from ..forms import MessageForm, NewProjectForm
from ..models import (
    Campaign,
    Carrier,
    Project,
    ProjectMessage,
    ProjectStatus,
)
from ..services import create_draft
from ..steps import STEP_TITLES
from .common import visible_project


def _open_campaigns(carriers):
    """Campaigns open today for these carriers: their Caf's window, or a reopening for them."""
    today = timezone.localdate()
    return (
        Campaign.objects.filter(caf__carriers__in=carriers)
        .filter(
            Q(opens_on__lte=today, closes_on__gte=today)
            | Q(exceptions__carrier__in=carriers, exceptions__until__gte=today)
        )
        .distinct()
    )


@require_http_methods(["GET", "POST"])
def project_create(request):
    if not request.user.has_perm("projects.create_project"):
        raise PermissionDenied
    # A person may belong to several carriers: the form asks which one the project is for.
    # A carrier the Caf deactivated (or merged into another record) files nothing new.
    carriers = (
        Carrier.objects.visible_to(request.user).filter(is_active=True).order_by("legal_name", "pk")
    )
    if not carriers.exists():
        messages.error(
            request,
            "Votre structure est désactivée sur le portail : elle ne peut plus déposer de "
            "demande. Contactez votre Caf.",
        )
        return redirect("home")
    campaigns = _open_campaigns(carriers)
    previous = Project.objects.visible_to(request.user).filter(status=ProjectStatus.APPROVED)
    form = NewProjectForm(
        request.POST or None,
        carriers=carriers,
        campaigns=campaigns,
        previous_projects=previous.select_related("campaign", "carrier"),
        initial={"campaign": campaigns.first()},
    )
    carrier = carriers.first()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = create_draft(
            carrier=data["carrier"],
            campaign=data["campaign"],
            situation=data["situation"],
            title=data["title"],
            previous=data["previous"],
            by=request.user,
        )
        messages.success(request, "Brouillon créé : il est enregistré à chaque étape.")
        return redirect("projects:step", pk=project.pk, slug="structure")
    return render(
        request,
        "projects/project_create.html",
        {"form": form, "carrier": carrier, "campaigns": campaigns},
    )


@require_POST
def message_post(request, pk):
    project = visible_project(request, pk)
    if not request.user.has_perm("projects.post_message", project):
        raise PermissionDenied
    form = MessageForm(request.POST)
    # The advisor answers from the instruction page and comes back to it.
    back = (
        ("committee:review", project.pk)
        if request.POST.get("back") == "review" and request.user.has_perm("committee.view_queue")
        else ("projects:detail", project.pk)
    )
    if not form.is_valid():
        messages.error(request, "Le message est vide ou trop long (5 000 caractères au plus).")
        return redirect(back[0], pk=back[1])
    from_caf = not request.user.has_perm("projects.edit_request", project)
    ProjectMessage.objects.create(
        project=project, author=request.user, from_caf=from_caf, body=form.cleaned_data["body"]
    )
    messenger.send(
        "project_message",
        to=messenger.recipients_for(
            project, ("carrier_members",) if from_caf else ("territory_advisors",)
        ),
        context={"object": project},
    )
    messages.success(request, "Message envoyé.")
    return redirect(back[0], pk=back[1])


def project_detail(request, pk):
    from .. import workflow
    from ..documents import documents_for
    from ..steps import is_open_for_carrier

    project = visible_project(request, pk, "submitted_by")
    # Read once for the money panel and the documents list (declarations' app, by relation).
    declarations = project.declarations.model.objects.select_related("computation").order_by("kind")
    prefetch_related_objects([project], Prefetch("declarations", declarations), "payments")
    is_member = request.user.has_perm("projects.edit_request", project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "collectives": project.collectives.select_related("commune"),
            "events": project.events.select_related("actor")[:50],
            "thread": project.messages.select_related("author"),
            "message_form": MessageForm(),
            "can_continue": is_member and is_open_for_carrier(project),
            "is_member": is_member,
            # « Modifier les sections rouvertes » opens the first reopened section.
            "continue_step": _continue_step(project),
            "reopened": [
                t for s, t in STEP_TITLES.items() if s in (project.reopened_sections or [])
            ],
            "can_open_review": request.user.has_perm("committee.view_queue"),
            "actions": workflow.allowed_actions(project, request.user),
            "previous": project.previous,
            "documents": documents_for(project, request.user),
            "convention": project.convention,
            "convention_line": project.convention_line,
            "can_change_agreement": request.user.has_perm("committee.withdraw_agreement", project)
            and project.status in (ProjectStatus.APPROVED, ProjectStatus.SUSPENDED),
            "can_decide_adjustment": project.status == ProjectStatus.ADJUSTMENT
            and request.user.has_perm("projects.decide_adjustment", project),
            # Controls and visits (declarations app, issue 17): the Caf records them on an
            # agreed project; the carrier reads its own results and follow-up.
            "controls": project.controls.all(),
            "may_record_control": project.status == ProjectStatus.APPROVED
            and request.user.has_perm("declarations.record_control", project),
            "may_request_bonus": project.status == ProjectStatus.APPROVED
            and request.user.has_perm("committee.request_bonus", project),
            **_money_context(project, is_member),
        },
    )


def _continue_step(project):
    from ..steps import steps_for

    slugs = [step.slug for step in steps_for(project)]
    reopened = [s for s in slugs if s in (project.reopened_sections or [])]
    if project.status == ProjectStatus.CHANGES_REQUESTED and reopened:
        return reopened[0]
    return slugs[0]


def _money_context(project, is_member):
    """Declarations, rights, advances and balance, with the engine's explanations."""
    declarations = {d.kind: d for d in project.declarations.all()}
    forecast = declarations.get("forecast")
    actual = declarations.get("actual")
    approved = project.status == ProjectStatus.APPROVED
    return {
        "forecast": forecast,
        "actual": actual,
        "payments": list(project.payments.all()),
        # Issue 17: what a revised decision or a changed agrément left, with its explanation.
        "recoveries": list(project.recoveries.all()),
        "agreement_changes": list(project.agreement_changes.all()),
        "can_open_forecast": is_member and approved and forecast is None,
        "can_open_actual": is_member
        and approved
        and actual is None
        and forecast is not None
        and forecast.status == "validated",
    }
