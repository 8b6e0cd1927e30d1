"""The one service that changes a project's status (STYLE: declared transitions, one audit line).

Each transition says from which statuses and by which role it may be fired. `fire` locks the row,
checks both, writes the new status and the event, and queues the notifications, in one
transaction. Views never assign `.status`.
"""

from django.db import transaction
from django.utils import timezone

from clasportal import messenger
from clasportal.transitions import Transition, TransitionError, Workflow

from .completeness import changes_from_previous, findings, missing_items
from .models import Project, ProjectEvent, ProjectStatus, Situation
from .receipts import attach_receipt

S = ProjectStatus

__all__ = ["TRANSITIONS", "TransitionError", "PROJECT", "allowed_actions", "fire", "record"]

REVIEW = "committee.review"
DECIDE = "committee.decide_project"
WITHDRAW = "committee.withdraw_agreement"

TRANSITIONS = {
    "submit": Transition(
        "Déposer la demande",
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
        S.SUBMITTED,
        "projects.submit",
        email="project_submitted",
        recipients=("territory_advisors",),
    ),
    "start_review": Transition(
        "Commencer l'instruction",
        frozenset({S.SUBMITTED}),
        S.UNDER_REVIEW,
        REVIEW,
        email="project_review_started",
        recipients=("carrier_members",),
    ),
    "request_changes": Transition(
        "Demander des modifications",
        frozenset({S.SUBMITTED, S.UNDER_REVIEW}),
        S.CHANGES_REQUESTED,
        REVIEW,
        email="project_changes_requested",
        recipients=("carrier_members",),
    ),
    # A request waiting on the carrier can always be taken back by its advisor (nobody is stuck).
    "take_back": Transition(
        "Reprendre l'instruction",
        frozenset({S.CHANGES_REQUESTED}),
        S.UNDER_REVIEW,
        REVIEW,
        email="project_taken_back",
        recipients=("carrier_members",),
    ),
    "propose": Transition(
        "Proposer au comité",
        frozenset({S.SUBMITTED, S.UNDER_REVIEW}),
        S.PROPOSED,
        REVIEW,
        email="project_proposed",
        recipients=("carrier_members", "committee.manage_session"),
    ),
    "approve": Transition(
        "Agréer",
        frozenset({S.PROPOSED}),
        S.APPROVED,
        DECIDE,
        email="project_decided",
        recipients=("carrier_members", "declarations.process"),
    ),
    "refuse": Transition(
        "Refuser",
        frozenset({S.PROPOSED}),
        S.REFUSED,
        DECIDE,
        email="project_decided",
        recipients=("carrier_members",),
    ),
    "adjourn": Transition(
        "Ajourner",
        frozenset({S.PROPOSED}),
        S.ADJOURNED,
        DECIDE,
        email="project_decided",
        recipients=("carrier_members",),
    ),
    # An adjourned project goes on a later session's agenda, as a proposal again.
    "reschedule": Transition(
        "Inscrire à nouveau au comité",
        frozenset({S.ADJOURNED}),
        S.PROPOSED,
        "committee.manage_session",
    ),
    # A continuing year of a convention (issue 15): no review, no committee. Conform to the
    # agreed figures it is agreed at once; with changes it is an adjustment for the advisor.
    "confirm_year": Transition(
        "Transmettre les données prévisionnelles de l'année",
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
        S.APPROVED,
        "projects.submit",
        email="convention_year_confirmed",
        recipients=("carrier_members", "declarations.process"),
    ),
    "submit_adjustment": Transition(
        "Transmettre un ajustement",
        frozenset({S.DRAFT, S.CHANGES_REQUESTED}),
        S.ADJUSTMENT,
        "projects.submit",
        email="convention_adjustment_submitted",
        recipients=("territory_advisors",),
    ),
    "validate_adjustment": Transition(
        "Valider l'ajustement",
        frozenset({S.ADJUSTMENT}),
        S.APPROVED,
        "projects.decide_adjustment",
        email="convention_adjustment_decided",
        recipients=("carrier_members", "declarations.process"),
    ),
    "refuse_adjustment": Transition(
        "Refuser l'ajustement",
        frozenset({S.ADJUSTMENT}),
        S.CHANGES_REQUESTED,
        "projects.decide_adjustment",
        email="convention_adjustment_decided",
        recipients=("carrier_members",),
    ),
    # While its session is open, the committee may revise a decision (both steps are traced).
    "revise_decision": Transition(
        "Revoir la décision",
        frozenset({S.APPROVED, S.REFUSED, S.ADJOURNED}),
        S.PROPOSED,
        DECIDE,
    ),
    # During the year the committee suspends or withdraws an agrément (Vosges note: « retirer
    # les agréments en cours si des manquements sont constatés »); declarations.agreement
    # carries the money (payments held, cancelled, prorated right, amount to recover).
    "suspend": Transition(
        "Suspendre l'agrément",
        frozenset({S.APPROVED}),
        S.SUSPENDED,
        WITHDRAW,
        email="agreement_changed",
        recipients=("carrier_members", "declarations.process"),
    ),
    "lift_suspension": Transition(
        "Lever la suspension",
        frozenset({S.SUSPENDED}),
        S.APPROVED,
        WITHDRAW,
        email="agreement_changed",
        recipients=("carrier_members", "declarations.process"),
    ),
    "withdraw": Transition(
        "Retirer l'agrément",
        frozenset({S.APPROVED, S.SUSPENDED}),
        S.WITHDRAWN,
        WITHDRAW,
        email="agreement_changed",
        recipients=("carrier_members", "declarations.process"),
    ),
}


def record(subject, *, by, action, note="", data=None, from_status="", to_status="", kind=None):
    """One line of the audit trail about `subject` (a project, or an object that has one)."""
    project = subject if isinstance(subject, Project) else getattr(subject, "project", None)
    return ProjectEvent.objects.create(
        # With a project, the event's Caf is the project's (ProjectEvent.save fills it).
        caf_id=None if project is not None else subject.caf_id,
        project=project,
        subject=kind or ("project" if subject is project else subject._meta.model_name),
        subject_id=subject.pk,
        actor=by,
        action=action,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )


PROJECT = Workflow(
    subject="project",
    model=Project,
    statuses=ProjectStatus,
    transitions=TRANSITIONS,
    record=record,
    noun="le projet",
)


def allowed_actions(project, user):
    return PROJECT.allowed(project, user)


def fire(project_id, action, *, by, note="", data=None, context=None, **changes):
    return PROJECT.fire(project_id, action, by=by, note=note, data=data, context=context, **changes)


def _locked(project_id, user):
    return PROJECT.lock(project_id, user, "campaign", "carrier")


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
    if not project.carrier.is_active:
        raise TransitionError(
            f"{project.carrier} est désactivé sur le portail : il ne peut plus déposer de "
            "demande. Contactez votre Caf."
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
    if project.convention_id and project.situation == Situation.CONTINUING:
        # A continuing year of a convention: no review, no committee (issue 15).
        from .conventions import submit_year

        return submit_year(project, by=by, found=found)
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
    messenger.send(
        "project_receipt",
        to=messenger.recipients_for(project, ("carrier_members",)),
        context={"object": project},
        attachment=project.receipt.name,
    )
    return project
