"""The GC's decision on each justification, with its effect on the money, and the carrier's
one answer to a rejection before validation (contradictory procedure, issue 17).

Every decision is traced on the project: who, when, the justification's status and effect before
and after, and the right computed by the engine on the retained figures before and after.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clasportal import messenger
from clasportal.formatting import format_euros
from clasportal.rules import can
from funding.cases import CaseError
from funding.services import compute_from_data
from projects import workflow

from . import consequences
from .errors import DeclarationError
from .models import Declaration, Justification


def retained_right(declaration):
    """The engine's right on the declaration's retained figures (None when it cannot run)."""
    from .services import funding_case

    try:
        _case, result = compute_from_data(funding_case(declaration))
    except CaseError:
        return None
    return (result.actual or result.forecast).right


def _state(justification):
    return {
        "status": justification.status,
        "effect": justification.effect,
        "collectives": list(justification.effect_collectives or []),
        "value": justification.effect_value,
        "bonus": justification.effect_bonus,
    }


@transaction.atomic
def decide_justification(
    justification_id,
    *,
    by,
    accepted,
    note="",
    effect="",
    collectives=(),
    value=None,
    bonus="",
):
    """Accept, or reject with its effect (consequences.EFFECTS); the GC may decide again until
    validation, after the carrier's answer for instance. Raises EffectError on a wrong effect."""
    from .services import _locked, _require_processor, check_topic

    justification = (
        Justification.objects.select_for_update()
        .select_related("declaration")
        .get(pk=justification_id)
    )
    declaration = _locked(justification.declaration_id, by)
    _require_processor(declaration, by)
    if accepted:
        effect, collectives, value, bonus = "", [], None, ""
    else:
        collectives = sorted(set(collectives or []))
        consequences.check_effect(
            declaration, effect=effect, collectives=collectives, value=value, bonus=bonus
        )
        if effect not in (consequences.EXCLUDE_COLLECTIVE, consequences.CORRECT_CHILDREN):
            collectives = []
        if effect not in (consequences.CORRECT_WEEKS, consequences.CORRECT_CHILDREN):
            value = None
        if effect != consequences.WITHDRAW_BONUS:
            bonus = ""
    before, right_before = _state(justification), retained_right(declaration)
    justification.status = (
        Justification.Status.ACCEPTED if accepted else Justification.Status.REJECTED
    )
    justification.effect = effect
    justification.effect_collectives = list(collectives)
    justification.effect_value = value
    justification.effect_bonus = bonus
    justification.decision_note = note
    justification.decided_by = by
    justification.decided_at = timezone.now()
    justification.save()
    declaration = Declaration.objects.get(pk=declaration.pk)
    right_after = retained_right(declaration)
    text = f"Justification « {check_topic(justification.code)} » : "
    text += justification.get_status_display().lower()
    if not accepted:
        text += f" — {consequences.effect_text(justification)}"
    if right_before is not None and right_after is not None and right_before != right_after:
        text += f" ; droit {format_euros(right_before)} → {format_euros(right_after)}"
    workflow.record(
        declaration.project,
        by=by,
        action="justification",
        note=text,
        data={
            "justification": justification.pk,
            "before": before,
            "after": _state(justification),
            "right_before": str(right_before) if right_before is not None else None,
            "right_after": str(right_after) if right_after is not None else None,
        },
    )
    if not accepted and before != _state(justification):
        # The carrier learns of a rejection while it can still answer (contradictory procedure).
        messenger.send(
            "justification_rejected",
            to=messenger.recipients_for(declaration, ("carrier_members",)),
            context={
                "object": justification,
                "topic": check_topic(justification.code),
                "effect": consequences.effect_text(justification),
                "right_before": format_euros(right_before) if right_before is not None else "",
                "right_after": format_euros(right_after) if right_after is not None else "",
            },
        )
    return justification


@transaction.atomic
def answer_rejection(justification_id, *, by, text):
    """The carrier answers a rejection once, while the declaration awaits validation."""
    justification = (
        Justification.objects.select_for_update()
        .select_related("declaration__project")
        .get(pk=justification_id)
    )
    declaration = justification.declaration
    if not can(by, "declarations.edit", declaration):
        raise DeclarationError("Seul le porteur répond au rejet d'une justification.")
    if declaration.status == Declaration.Status.VALIDATED:
        raise DeclarationError(
            "La déclaration est validée : la décision de la Caf ne peut plus être contestée ici."
        )
    if declaration.status != Declaration.Status.SUBMITTED:
        raise DeclarationError(
            "On répond à un rejet tant que la déclaration transmise attend sa validation."
        )
    if justification.status != Justification.Status.REJECTED:
        raise DeclarationError("Seule une justification rejetée appelle une réponse.")
    if justification.carrier_answer:
        raise DeclarationError(
            "Vous avez déjà répondu à ce rejet : une seule réponse est possible."
        )
    text = (text or "").strip()
    if not text:
        raise DeclarationError("Écrivez votre réponse avant de l'envoyer.")
    justification.carrier_answer = text[:4000]
    justification.answered_at = timezone.now()
    justification.answered_by = by
    justification.save(update_fields=["carrier_answer", "answered_at", "answered_by"])
    workflow.record(
        declaration.project,
        by=by,
        action="justification_answer",
        note="Réponse du porteur au rejet d'une justification",
        data={"justification": justification.pk},
    )
    from .services import check_topic

    messenger.send(
        "justification_answered",
        to=messenger.recipients_for(declaration, ("declarations.process",)),
        context={"object": justification, "topic": check_topic(justification.code)},
    )
    return justification


def effect_summary(declaration):
    """For the carrier and the GC: the right on the declared figures, on the retained ones,
    what changed, and the engine's explanation step by step (None when nothing is rejected)."""
    from .services import funding_case

    rejected = consequences.rejections(declaration)
    if not rejected:
        return None
    kept = consequences.retained(declaration, rejected)
    try:
        _c, declared = compute_from_data(funding_case(declaration, as_declared=True))
        _c, retained = compute_from_data(funding_case(declaration))
    except CaseError:
        return None
    declared = declared.actual or declared.forecast
    retained = retained.actual or retained.forecast
    return {
        "rejected": [(j, consequences.effect_text(j)) for j in rejected],
        "changes": kept.changes,
        "retained": kept,
        "declared_right": declared.right,
        "retained_right": retained.right,
        "difference": retained.right - declared.right,
        "explanations": retained.explanations,
        "frozen": declaration.status == Declaration.Status.VALIDATED,
        "zero": Decimal("0"),
    }
