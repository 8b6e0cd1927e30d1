"""Advisor actions on a request: every one through the workflow service, traced with before/after."""

from django.db import transaction

from clasportal import messenger
from clasportal.formatting import format_euros
from clasportal.rules import can
from projects import workflow
from projects.models import ProjectMessage, ProjectStatus
from projects.steps import STEP_TITLES

from .models import FinancerDecision, ReviewNote

BONUS_FIELDS = {"children": "bonus_children_granted", "parents": "bonus_parents_granted"}
BONUS_LABELS = {"children": "bonus « enfants »", "parents": "bonus « parents »"}
# A bonus is decided while the request is with the advisor, before the committee.
BONUS_STATUSES = (
    ProjectStatus.SUBMITTED,
    ProjectStatus.UNDER_REVIEW,
    ProjectStatus.PROPOSED,
    ProjectStatus.CHANGES_REQUESTED,
)


@transaction.atomic
def request_changes(project_id, *, by, sections, message):
    unknown = [s for s in sections if s not in STEP_TITLES or s == "recapitulatif"]
    if not sections or unknown:
        raise workflow.TransitionError("Choisissez au moins une section à rouvrir.")
    current = workflow.PROJECT.lock(project_id, by)
    if current.status == ProjectStatus.CHANGES_REQUESTED:
        return _reopen_more(current, by=by, sections=sections, message=message)
    project = workflow.fire(
        project_id,
        "request_changes",
        by=by,
        note=message,
        data={"sections": sections},
        context={"sections": ", ".join(STEP_TITLES[s] for s in sections)},
        reopened_sections=list(sections),
    )
    ProjectMessage.objects.create(project=project, author=by, from_caf=True, body=message)
    return project


def _reopen_more(project, *, by, sections, message):
    """While the request waits on the carrier, the advisor reopens more sections: those already
    open stay open; the status does not change, the event and the e-mail say which ones."""
    if not can(by, "committee.review", project):
        raise workflow.TransitionError("Votre rôle ne permet pas cette action.")
    before = list(project.reopened_sections or [])
    project.reopened_sections = list(dict.fromkeys([*before, *sections]))
    project.version += 1
    project.save(update_fields=["reopened_sections", "version", "updated_at"])
    titles = ", ".join(STEP_TITLES[s] for s in project.reopened_sections)
    workflow.record(
        project,
        by=by,
        action="request_changes",
        note=message,
        data={"sections": project.reopened_sections, "before": before},
        from_status=project.status,
        to_status=project.status,
    )
    ProjectMessage.objects.create(project=project, author=by, from_caf=True, body=message)
    messenger.send(
        "project_changes_requested",
        to=messenger.recipients_for(project, ("carrier_members",)),
        context={"object": project, "note": message, "by": by, "sections": titles},
    )
    return project


@transaction.atomic
def take_back(project_id, *, by, note=""):
    """The advisor takes back a request that waits on the carrier: its sections close again."""
    return workflow.fire(project_id, "take_back", by=by, note=note, reopened_sections=[])


@transaction.atomic
def propose(project_id, *, by, favourable, collectives=None, reason=""):
    if favourable and not collectives:
        raise workflow.TransitionError("Indiquez le nombre de collectifs retenus.")
    if not favourable and not reason.strip():
        raise workflow.TransitionError("Un avis défavorable doit être motivé.")
    return workflow.fire(
        project_id,
        "propose",
        by=by,
        note=reason,
        data={"favourable": favourable, "collectives": collectives},
        proposal="approval" if favourable else "refusal",
        proposed_collectives=collectives if favourable else None,
        proposal_reason=reason,
    )


@transaction.atomic
def decide_bonus(project_id, *, by, which, granted, reason):
    if which not in BONUS_FIELDS:
        raise workflow.TransitionError("Bonus inconnu.")
    if not reason.strip():
        raise workflow.TransitionError("Indiquez le motif de la décision sur le bonus.")
    project = workflow.PROJECT.lock(project_id, by)
    if not can(by, "committee.decide_bonus", project):
        raise workflow.TransitionError("Seul le conseiller de la Caf accorde les bonus.")
    if project.status not in BONUS_STATUSES:
        raise workflow.TransitionError(
            f"Les bonus ne se décident plus au statut « {project.get_status_display()} »."
        )
    field = BONUS_FIELDS[which]
    requested = getattr(project, f"bonus_{which}_requested")
    if granted and not requested:
        raise workflow.TransitionError("Le porteur n'a pas demandé ce bonus.")
    before = getattr(project, field)
    setattr(project, field, granted)
    project.version += 1
    project.save(update_fields=[field, "version", "updated_at"])
    workflow.record(
        project,
        by=by,
        action="grant_bonus" if granted else "refuse_bonus",
        note=f"{BONUS_LABELS[which]} : {reason}",
        data={"field": field, "before": before, "after": granted},
    )
    messenger.send(
        "bonus_decided",
        to=messenger.recipients_for(project, ("carrier_members",)),
        context={
            "object": project,
            "bonus": BONUS_LABELS[which],
            "granted": granted,
            "note": reason,
        },
    )
    return project


def add_note(project, *, by, body, shared_with_partners=False):
    return ReviewNote.objects.create(
        project=project, author=by, body=body, shared_with_partners=shared_with_partners
    )


@transaction.atomic
def record_other_financer(project, *, by, financer, amount, note=""):
    """A co-financer's amount known before the committee (its own earlier decision): recorded
    as that partner's decision, outside any agenda item and scheme."""
    decision = FinancerDecision.objects.create(
        project=project,
        partner=financer,
        outcome=FinancerDecision.Outcome.GRANTED,
        amount=amount,
        note=note,
        recorded_by=by,
    )
    workflow.record(
        project,
        by=by,
        action="other_financer",
        note=f"{financer.name} : {format_euros(amount)}",
        data={"partner": financer.pk, "amount": str(amount)},
    )
    return decision
