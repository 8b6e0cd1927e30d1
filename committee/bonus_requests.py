"""A bonus asked during the year (Loire form « demande de bonification »): the carrier of an agreed
project asks, before its forecast declaration; the advisor grants or refuses it like the bonuses
of the request (`review.decide_bonus`). Traced on the project, the other side told by e-mail."""

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from clasportal import messenger
from clasportal.formatting import format_euros
from clasportal.rules import can
from projects import workflow
from projects.models import ProjectStatus

from .models import Decision, InYearBonusRequest
from .review import BONUS_FIELDS, BONUS_LABELS

B = InYearBonusRequest
# The declaration statuses after which the forecast is with the Caf: a bonus comes before it
# (Loire guide: « avant de faire votre déclaration prévisionnelle »; SPEC §4.3).
FORECAST_SENT = ("submitted", "validated")


def agreed_label(agreed):
    """« le collectif agréé » or « les 3 collectifs agréés »."""
    return "le collectif agréé" if agreed == 1 else f"les {agreed} collectifs agréés"


class BonusRequestError(Exception):
    pass


def _retained_decision(project):
    return (
        Decision.objects.filter(item__project=project, outcome=Decision.Outcome.APPROVED)
        .order_by("-decided_at")
        .first()
    )


def is_granted(project, which):
    decision = _retained_decision(project)
    if decision is not None:
        return getattr(decision, f"bonus_{which}_retained")
    return getattr(project, BONUS_FIELDS[which])


def why_not(project, which=None):
    """Why this project cannot ask for a bonus now (a French sentence), or None."""
    if project.status != ProjectStatus.APPROVED:
        return "Un bonus se demande en cours d'année pour un projet agréé."
    if project.declarations.filter(kind="forecast", status__in=FORECAST_SENT).exists():
        return (
            "La déclaration prévisionnelle est déjà transmise : un bonus se demande avant "
            "elle, il est trop tard pour cette année."
        )
    if which is not None:
        if is_granted(project, which):
            return f"Le {BONUS_LABELS[which]} est déjà accordé à ce projet."
        if project.in_year_bonus_requests.filter(bonus=which, status=B.Status.PENDING).exists():
            return f"Une demande de {BONUS_LABELS[which]} attend déjà la décision du conseiller."
    return None


def requestable(project):
    """The bonuses the carrier may still ask for on this project."""
    if why_not(project):
        return []
    return [which for which in BONUS_FIELDS if why_not(project, which) is None]


@transaction.atomic
def request_bonus(project_id, *, by, fields):
    project = workflow.PROJECT.lock(project_id, by)
    if not can(by, "committee.request_bonus", project):
        raise BonusRequestError("Seul le porteur du projet demande un bonus.")
    which = fields["bonus"]
    reason = why_not(project, which)
    if reason:
        raise BonusRequestError(reason)
    agreed = project.agreed_collectives or 0
    if fields["collectives"] > agreed:
        raise BonusRequestError(f"Le bonus concerne au plus {agreed_label(agreed)} du projet.")
    bonus_request = InYearBonusRequest.objects.create(project=project, requested_by=by, **fields)
    workflow.record(
        project,
        by=by,
        action="bonus_requested",
        note=f"{BONUS_LABELS[which]}, {bonus_request.collectives} "
        f"collectif{pluralize(bonus_request.collectives)}, surcoût "
        f"{format_euros(bonus_request.extra_cost)}",
        data={"request": bonus_request.pk, "bonus": which},
    )
    messenger.send(
        "bonus_requested",
        to=messenger.recipients_for(project, ("territory_advisors",)),
        context={"object": project, "request": bonus_request, "bonus": BONUS_LABELS[which]},
    )
    return bonus_request


@transaction.atomic
def decide(request_id, *, by, granted, reason):
    bonus_request = InYearBonusRequest.objects.select_for_update().get(pk=request_id)
    project = workflow.PROJECT.lock(bonus_request.project_id, by)
    if not can(by, "committee.decide_bonus", project):
        raise BonusRequestError("Seul le conseiller de la Caf accorde les bonus.")
    if bonus_request.status != B.Status.PENDING:
        raise BonusRequestError("Cette demande de bonus est déjà décidée.")
    if not reason.strip():
        raise BonusRequestError("Indiquez le motif de la décision sur le bonus.")
    which = bonus_request.bonus
    if granted:
        # Granting after the forecast was sent would let a bonus into the actual that the
        # forecast never declared (SPEC §4.3): refused, whatever the advisor's opinion.
        late = why_not(project, which)
        if late and "attend déjà" not in late:
            raise BonusRequestError(late)
    bonus_request.status = B.Status.GRANTED if granted else B.Status.REFUSED
    bonus_request.decided_by = by
    bonus_request.decided_at = timezone.now()
    bonus_request.decision_note = reason.strip()
    bonus_request.save()
    before = is_granted(project, which)
    if granted:
        _grant(project, bonus_request)
    workflow.record(
        project,
        by=by,
        action="grant_bonus" if granted else "refuse_bonus",
        note=f"{BONUS_LABELS[which]} demandé en cours d'année : {reason.strip()}",
        data={
            "field": BONUS_FIELDS[which],
            "before": before,
            "after": granted or before,
            "request": bonus_request.pk,
        },
    )
    messenger.send(
        "bonus_decided",
        to=messenger.recipients_for(project, ("carrier_members",)),
        context={
            "object": project,
            "bonus": BONUS_LABELS[which],
            "granted": granted,
            "note": reason.strip(),
            "in_year": True,
        },
    )
    return bonus_request


def _grant(project, bonus_request):
    """The project carries the granted bonus and its figures; the committee's retained decision
    too, since the declarations read the bonus from it."""
    which = bonus_request.bonus
    updates = {
        f"bonus_{which}_requested": True,
        f"bonus_{which}_granted": True,
        f"bonus_{which}_collectives": bonus_request.collectives,
        f"bonus_{which}_project": bonus_request.description,
        f"bonus_{which}_speakers_cost": bonus_request.speakers_cost,
    }
    if which == "children":
        updates["bonus_children_equipment_cost"] = bonus_request.equipment_cost
        updates["bonus_children_outings_cost"] = bonus_request.outings_cost
    else:
        updates["bonus_parents_specific_actions"] = bonus_request.specific_actions
    for name, value in updates.items():
        setattr(project, name, value)
    project.version += 1
    project.save(update_fields=[*updates, "version", "updated_at"])
    decision = _retained_decision(project)
    if decision is not None:
        setattr(decision, f"bonus_{which}_retained", True)
        decision.save(update_fields=[f"bonus_{which}_retained"])
    # A forecast still in the carrier's hands declares the collectives the bonus concerns.
    for forecast in project.declarations.filter(kind="forecast").exclude(status__in=FORECAST_SENT):
        setattr(
            forecast,
            f"bonus_{which}_collectives",
            min(bonus_request.collectives, project.agreed_collectives or 0),
        )
        forecast.save(update_fields=[f"bonus_{which}_collectives"])
