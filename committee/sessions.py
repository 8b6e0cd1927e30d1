"""Committee sessions: agenda, decisions with their frozen funding computation, closing."""

from decimal import Decimal

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from clasportal.rules import can
from clasportal.transitions import Transition, TransitionError, Workflow
from funding.services import store_computation
from projects import consequences, conventions, workflow
from projects.completeness import request_case
from projects.models import Project, ProjectStatus

from . import cofinancing
from .models import AgendaItem, CommitteeSession, Decision

# Proposed projects, and adjourned ones which come back at a later session.
SCHEDULABLE = (ProjectStatus.PROPOSED, ProjectStatus.ADJOURNED)
OUTCOME_ACTIONS = {"approved": "approve", "refused": "refuse", "adjourned": "adjourn"}


# One error for every refused action: views catch one exception.
SessionError = TransitionError

SESSION = Workflow(
    subject="session",
    model=CommitteeSession,
    statuses=CommitteeSession.Status,
    noun="le comité",
    record=workflow.record,
    transitions={
        "close_session": Transition(
            "Clore le comité",
            frozenset({CommitteeSession.Status.OPEN}),
            CommitteeSession.Status.CLOSED,
            "committee.close_session",
        ),
    },
)


@transaction.atomic
def add_to_agenda(session, projects, *, by):
    if not session.is_open:
        raise SessionError("Ce comité est clos : son ordre du jour est figé.")
    added = 0
    position = session.items.count()
    # Statuses are read again under lock: the caller's objects may be stale.
    projects = list(
        Project.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("campaign")
        .filter(pk__in=[p.pk for p in projects])
        .order_by("pk")
    )
    waiting = set(
        on_open_agenda(Project.objects.filter(pk__in=[p.pk for p in projects])).values_list(
            "pk", flat=True
        )
    )
    for project in projects:
        if project.status not in SCHEDULABLE or project.campaign.caf_id != session.caf_id:
            continue
        if project.pk in waiting:  # one open agenda item per project
            continue
        if project.status == ProjectStatus.ADJOURNED:
            workflow.PROJECT.fire(project.pk, "reschedule", by=by, note=str(session), obj=project)
        _, created = AgendaItem.objects.get_or_create(
            session=session, project=project, defaults={"position": position}
        )
        if created:
            position += 1
            added += 1
            workflow.record(project, by=by, action="agenda", note=str(session))
    return added


@transaction.atomic
def record_decision(
    item_id,
    *,
    by,
    outcome,
    collectives=0,
    bonus_children=False,
    bonus_parents=False,
    reason="",
    confirmed=False,
):
    try:
        item = (
            AgendaItem.objects.visible_to(by)
            .select_for_update(of=("self",))
            .select_related("session__campaign", "project")
            .get(pk=item_id)
        )
    except AgendaItem.DoesNotExist:
        raise SessionError("Ce projet n'est pas à l'ordre du jour de ce comité.") from None
    session = item.session
    if not can(by, "committee.decide", session):
        raise SessionError("Seuls les membres de ce comité y décident.")
    if not session.is_open:
        raise SessionError("Ce comité est clos : ses décisions sont verrouillées.")
    project = item.project
    if outcome not in OUTCOME_ACTIONS:
        raise SessionError("Décision inconnue.")
    if outcome == "approved":
        count = project.collectives.count()
        if not 1 <= collectives <= max(count, 1):
            raise SessionError(f"Le nombre de collectifs retenus doit être entre 1 et {count}.")
        bonus_children = bonus_children and project.bonus_children_granted
        bonus_parents = bonus_parents and project.bonus_parents_granted
    else:
        collectives, bonus_children, bonus_parents = 0, False, False
    if outcome != "approved" and not reason.strip():
        raise SessionError("Un refus ou un ajournement doit être motivé.")
    change = revision_change(item, outcome, collectives, bonus_children, bonus_parents, reason)
    if hasattr(item, "decision"):
        if change is not None:
            # Issue 17: refuse here what cannot follow (before anything is written).
            consequences.describe(project, change)
        workflow.fire(project.pk, "revise_decision", by=by, note="Décision revue en séance")
        item.decision.delete()
    computation = None
    ps = bonus = Decimal("0")
    if outcome == "approved":
        computation = store_computation(
            data=request_case(
                project,
                collectives=collectives,
                bonus_children=bonus_children,
                bonus_parents=bonus_parents,
            ),
            kind="forecast",
            project=project,
            by=by,
            is_decision=True,
        )
        forecast = computation.result["forecast"]
        ps = Decimal(forecast["ps"])
        bonus = Decimal(forecast["bonus_children"]) + Decimal(forecast["bonus_parents"])
        # The Caf's own envelope (issue 18): past it, the person confirms and it is traced.
        cofinancing.check_envelope(
            session.campaign,
            None,
            cofinancing.caf_committed(session.campaign, exclude_item=item),
            ps + bonus,
            by=by,
            project=project,
            confirmed=confirmed,
        )
    decision = Decision.objects.create(
        item=item,
        outcome=outcome,
        collectives_retained=collectives,
        bonus_children_retained=bonus_children,
        bonus_parents_retained=bonus_parents,
        forecast_ps=ps,
        forecast_bonus=bonus,
        computation=computation,
        reason=reason,
        decided_by=by,
    )
    # The advisor's grant stays on the project; what the committee retains lives on the decision.
    changes = {"agreed_collectives": collectives or None}
    project = workflow.fire(
        project.pk,
        OUTCOME_ACTIONS[outcome],
        by=by,
        note=reason,
        data={
            "session": session.pk,
            "collectives": collectives,
            "ps": str(ps),
            "bonus": str(bonus),
        },
        **changes,
    )
    if change is not None:
        # Issue 17: declarations cancelled, payments cancelled, what was paid to recover.
        consequences.apply(project, change, by=by)
    # The convention (issue 15): agreed with its length, or withdrawn by a revised decision.
    if outcome == "approved":
        conventions.agree(
            project, by=by, collectives=collectives, amount=ps + bonus, computation=computation
        )
    else:
        conventions.withdraw(project, by=by)
    return decision


def revision_change(item, outcome, collectives, bonus_children, bonus_parents, reason):
    """The change to the agrément a new decision on an approved project makes, or None: not an
    approval any more (« revision »), or approved again with other figures (« refigure »)."""
    decision = getattr(item, "decision", None)
    if decision is None or decision.outcome != "approved":
        return None
    label = Decision.Outcome(outcome).label
    if outcome != "approved":
        return consequences.Change("revision", reason, outcome_label=label.lower())
    retained = (
        decision.collectives_retained,
        decision.bonus_children_retained,
        decision.bonus_parents_retained,
    )
    if retained == (collectives, bonus_children, bonus_parents):
        return None
    return consequences.Change(
        "refigure", reason, outcome_label=label.lower(), collectives=collectives
    )


def revision_consequences(item, *, outcome, collectives, bonus_children, bonus_parents, reason):
    """What revising this item's decision will do, in French, for the confirmation page."""
    change = revision_change(item, outcome, collectives, bonus_children, bonus_parents, reason)
    return consequences.describe(item.project, change) if change is not None else []


def check_closable(session, today=None):
    """Why this session cannot be closed now (a SessionError), or nothing. A session closes on
    or after its date, never before: its letters say « réuni le … » and carry the closing date."""
    today = today or timezone.localdate()
    if not session.is_open:
        raise SessionError("Ce comité est déjà clos.")
    if session.date > today:
        raise SessionError(
            f"Ce comité se réunit le {session.date:%d/%m/%Y} : il ne peut être clos qu'à partir "
            "de cette date. Si la date a changé, corrigez d'abord celle du comité."
        )
    undecided = session.items.filter(decision__isnull=True).count()
    if undecided:
        raise SessionError(
            f"{undecided} projet{pluralize(undecided)} de l'ordre du jour sans décision : décidez "
            "ou ajournez-les avant de clore."
        )


@transaction.atomic
def close_session(session_id, *, by):
    session = SESSION.lock(session_id, by)
    check_closable(session)
    return SESSION.fire(session.pk, "close_session", by=by, obj=session, closed_at=timezone.now())


def on_open_agenda(projects):
    """Projects already waiting on some session's agenda (an undecided item)."""
    return projects.filter(agenda_items__isnull=False, agenda_items__decision__isnull=True)


def proposed_not_on_agenda(session, user):
    """The session's candidates: proposed projects of its Caf with no undecided agenda item
    (so an adjourned project comes back for the next session)."""
    proposed = Project.objects.visible_to(user).filter(status__in=SCHEDULABLE)
    return proposed.exclude(
        pk__in=on_open_agenda(Project.objects.all()).values("pk")
    ).select_related("carrier", "campaign")
