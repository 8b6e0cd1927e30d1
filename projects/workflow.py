"""The one service that changes a project's status (STYLE: declared transitions, one audit line).

Each transition says from which statuses and by which role it may be fired. `fire` locks the row,
checks both, writes the new status and the event, and queues the notifications, in one
transaction. Views never assign `.status`.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clasportal.models import Role
from clasportal.notifications import notify

from .completeness import changes_from_previous, findings, missing_items
from .models import Project, ProjectEvent, ProjectStatus
from .receipts import attach_receipt

S = ProjectStatus


class TransitionError(Exception):
    """A transition refused, with a French message for the person who asked."""

    def __init__(self, message, items=()):
        super().__init__(message)
        self.message = message
        self.items = list(items)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str
    roles: frozenset


TRANSITIONS = {
    "submit": Transition(
        "Déposer la demande",
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
        S.SUBMITTED,
        frozenset({Role.CARRIER}),
    ),
    "start_review": Transition(
        "Commencer l'instruction",
        frozenset({S.SUBMITTED}),
        S.UNDER_REVIEW,
        frozenset({Role.ADVISOR}),
    ),
    "request_changes": Transition(
        "Demander des modifications",
        frozenset({S.SUBMITTED, S.UNDER_REVIEW}),
        S.CHANGES_REQUESTED,
        frozenset({Role.ADVISOR}),
    ),
    "propose": Transition(
        "Proposer au comité",
        frozenset({S.SUBMITTED, S.UNDER_REVIEW}),
        S.PROPOSED,
        frozenset({Role.ADVISOR}),
    ),
    "approve": Transition(
        "Agréer", frozenset({S.PROPOSED}), S.APPROVED, frozenset({Role.COMMITTEE})
    ),
    "refuse": Transition(
        "Refuser", frozenset({S.PROPOSED}), S.REFUSED, frozenset({Role.COMMITTEE})
    ),
    "adjourn": Transition(
        "Ajourner", frozenset({S.PROPOSED}), S.ADJOURNED, frozenset({Role.COMMITTEE})
    ),
    # While its session is open, the committee may revise a decision (both steps are traced).
    "revise_decision": Transition(
        "Revoir la décision",
        frozenset({S.APPROVED, S.REFUSED, S.ADJOURNED}),
        S.PROPOSED,
        frozenset({Role.COMMITTEE}),
    ),
}


def allowed_actions(project, user):
    role = user.role
    return [
        name for name, t in TRANSITIONS.items() if project.status in t.sources and role in t.roles
    ]


def record(project, *, by, action, note="", data=None, from_status="", to_status=""):
    return ProjectEvent.objects.create(
        project=project,
        actor=by,
        action=action,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )


def _locked(project_id, visible_to):
    return (
        Project.objects.visible_to(visible_to)
        .select_for_update(of=("self",))
        .select_related("campaign", "carrier")
        .get(pk=project_id)
    )


@transaction.atomic
def fire(project_id, action, *, by, note="", data=None, **changes):
    transition = TRANSITIONS[action]
    project = _locked(project_id, by)
    if by.role not in transition.roles:
        raise TransitionError("Votre rôle ne permet pas cette action.")
    if project.status not in transition.sources:
        raise TransitionError(
            f"Action impossible : le projet est au statut « {project.get_status_display()} »."
        )
    before = project.status
    for field, value in changes.items():
        setattr(project, field, value)
    project.status = transition.target
    project.version += 1
    project.save()
    record(
        project,
        by=by,
        action=action,
        note=note,
        data=data,
        from_status=before,
        to_status=project.status,
    )
    return project


def window_open_for(project, today=None):
    today = today or timezone.localdate()
    campaign = project.campaign
    if campaign.is_open_on(today):
        return True
    return campaign.exceptions.filter(carrier_id=project.carrier_id, until__gte=today).exists()


@transaction.atomic
def submit(project_id, *, by):
    """Deposit a request: once, complete, inside the window; freeze it and produce the receipt."""
    project = _locked(project_id, by)
    if project.status == S.SUBMITTED:
        raise TransitionError(
            "Cette demande est déjà déposée : elle n'a été enregistrée qu'une fois."
        )
    if project.status == S.DRAFT and not window_open_for(project):
        raise TransitionError(
            f"Hors délai, non recevable : le dépôt de la campagne {project.campaign.school_year} "
            f"était ouvert jusqu'au {project.campaign.closes_on:%d/%m/%Y}. Contactez votre Caf."
        )
    missing = missing_items(project)
    if missing:
        raise TransitionError("La demande est incomplète.", items=missing)
    found = findings(project)
    blocking = [f for f in found if f.severity == "error"]
    if blocking:
        raise TransitionError("La demande contient des incohérences bloquantes.", items=blocking)
    resubmission = project.status == S.CHANGES_REQUESTED
    project = fire(
        project_id,
        "submit",
        by=by,
        note="Nouveau dépôt après modifications" if resubmission else "",
        submitted_at=timezone.now(),
        submitted_by=by,
        reopened_sections=[],
        changes_to_validate=changes_from_previous(project),
        findings=[f.as_dict() for f in found],
        has_findings=bool(found),
    )
    attach_receipt(project)
    members = [m.user.email for m in project.carrier.memberships.select_related("user")]
    notify(
        subject=f"Récépissé de dépôt — {project.title}",
        body=(
            f"Bonjour,\n\nLa demande « {project.title} » ({project.carrier}) a été déposée le "
            f"{timezone.localtime(project.submitted_at):%d/%m/%Y à %H:%M} pour la campagne "
            f"{project.campaign.school_year}. Vous trouverez le récépissé en pièce jointe.\n"
        ),
        to=members,
        attachment=project.receipt.name,
    )
    return project
