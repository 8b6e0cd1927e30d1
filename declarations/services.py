"""Declarations: open, check, submit, process, validate — and the payments that follow.

Every state change locks the row, checks who and from where, writes the audit event on the
project, and computes money only through the funding engine (the same path as clas_funding).
"""

from decimal import Decimal

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from clasportal.formatting import format_euros
from clasportal.rules import can
from committee.models import Decision
from funding.checks import CheckContext, DeclarationData, run_checks
from funding.inputs import prorate_lines
from funding.services import store_computation
from projects import workflow
from projects.completeness import policy_for
from projects.models import ProjectStatus

from . import bonus_costs
from .consequences import effect_text, rejections
from .errors import DeclarationError
from .models import Declaration, DeclarationLine, Justification, Payment
from .rejections import answer_rejection, decide_justification
from .workflow import DECLARATION

CENT = Decimal("0.01")
D = Declaration


# Payments live in their own module; these names stay importable from here.
from .payments import (  # noqa: E402
    PAYMENT_FLOW,
    _set_payment,
    advance_payment,
    split_advances,
)

__all__ = [
    "PAYMENT_FLOW",
    "DeclarationError",
    "_set_payment",
    "advance_payment",
    "answer_rejection",
    "decide_justification",
    "split_advances",
]


def retained_decision(project):
    return (
        Decision.objects.filter(item__project=project, outcome="approved")
        .order_by("-decided_at")
        .first()
    )


def granted_bonuses(project):
    """Bonuses count only where the committee retained them (SPEC §4.3)."""
    decision = retained_decision(project)
    if decision is None:
        return project.bonus_children_granted, project.bonus_parents_granted
    return decision.bonus_children_retained, decision.bonus_parents_retained


def _accounts(declaration, charges):
    totals = {}
    for line in declaration.lines.all():
        if line.is_charge == charges:
            totals[line.account] = totals.get(line.account, Decimal("0")) + line.amount
    return totals


def data_of(declaration):
    children = [int(c) for c in (declaration.children or [])][: declaration.collectives]
    return DeclarationData(
        collectives=declaration.collectives,
        weeks=declaration.weeks,
        charges=_accounts(declaration, charges=True),
        products=_accounts(declaration, charges=False) or None,
        children=tuple(children) if children else None,
        weeks_sept_dec=declaration.weeks_sept_dec,
        weeks_jan_aug=declaration.weeks_jan_aug,
        bonus_children_collectives=declaration.bonus_children_collectives,
        bonus_parents_collectives=declaration.bonus_parents_collectives,
    )


def forecast_of(declaration):
    if declaration.is_actual:
        return declaration.project.declarations.filter(kind=D.Kind.FORECAST).first()
    return None


def findings(declaration):
    project = declaration.project
    children_granted, parents_granted = granted_bonuses(project)
    forecast = forecast_of(declaration)
    context = CheckContext(
        kind=declaration.kind,
        declaration=data_of(declaration),
        collectives_agreed=project.agreed_collectives or 0,
        policy=policy_for(project.campaign.caf),
        rural=project.collectives.filter(is_rural=True).exists(),
        # Each collective against its own range (its commune's rural status), in the order the
        # declaration numbers them; beyond the request's collectives, the project-level flag.
        collectives_rural=tuple(project.collectives.values_list("is_rural", flat=True)),
        bonus_children_granted=children_granted,
        bonus_parents_granted=parents_granted,
        forecast=data_of(forecast) if forecast else None,
    )
    return run_checks(context)


def decided_kind(project):
    """The legal status the committee's decision was computed with: a later change of the
    carrier's identity does not change money already decided (nor its declarations)."""
    decision = retained_decision(project)
    if decision is not None and decision.computation_id:
        return decision.computation.inputs.get("carrier_kind", project.carrier.kind)
    return project.carrier.kind


def funding_case(declaration, *, as_declared=False):
    """The funding contract's case for this declaration (and its forecast, for an actual), on
    the figures retained once the GC's rejections apply (issue 17), or `as_declared`."""
    from funding.inputs import DeclarationFigures, build_case

    from .consequences import retained

    project = declaration.project
    children_granted, parents_granted = granted_bonuses(project)

    def figures(d):
        kept = retained(d, [] if as_declared else None)
        return DeclarationFigures(
            collectives=kept.collectives,
            weeks=kept.weeks,
            lines=kept.charges.items(),
            bonus_children_collectives=kept.bonus_children_collectives,
            bonus_parents_collectives=kept.bonus_parents_collectives,
        )

    actual = declaration.is_actual
    return build_case(
        bareme_year=project.campaign.year,
        carrier_kind=decided_kind(project),
        collectives_agreed=project.agreed_collectives,
        min_weeks=policy_for(project.campaign.caf).min_weeks,
        bonus_children_granted=children_granted,
        bonus_parents_granted=parents_granted,
        forecast=figures(forecast_of(declaration) if actual else declaration),
        actual=figures(declaration) if actual else None,
        advances_paid=advances_total(project) if actual else None,
    )


def advances_total(project):
    """Advances scheduled, sent or paid: what the balance is computed against."""
    kinds = (Payment.Kind.FIRST_ADVANCE, Payment.Kind.SECOND_ADVANCE)
    return sum((p.amount for p in project.payments.filter(kind__in=kinds)), Decimal("0"))


@transaction.atomic
def open_declaration(project, kind, *, by):
    """A forecast for an approved project; an actual once the forecast is validated."""
    if project.status != ProjectStatus.APPROVED:
        raise DeclarationError("Seul un projet agréé par le comité fait l'objet de déclarations.")
    existing = project.declarations.filter(kind=kind).first()
    if existing:
        return existing
    campaign = project.campaign
    collectives = list(project.collectives.order_by("pk"))[: project.agreed_collectives or 1]
    if kind == D.Kind.ACTUAL:
        forecast = project.declarations.filter(kind=D.Kind.FORECAST).first()
        if forecast is None or forecast.status != D.Status.VALIDATED:
            raise DeclarationError(
                "La déclaration réelle suit une déclaration prévisionnelle validée par la Caf."
            )
        source_lines = list(forecast.lines.all())
        fields = {
            f: getattr(forecast, f)
            for f in (
                "collectives",
                "weeks",
                "weeks_sept_dec",
                "weeks_jan_aug",
                "children",
                "sessions_per_week",
                "bonus_children_collectives",
                "bonus_parents_collectives",
            )
        }
        due = campaign.actual_due_on
    else:
        source_lines = list(project.budget_lines.all())
        children_granted, parents_granted = granted_bonuses(project)
        fields = {
            "collectives": project.agreed_collectives or len(collectives) or 1,
            "weeks": min((c.planned_weeks for c in collectives), default=0),
            "children": [c.planned_children for c in collectives],
            "bonus_children_collectives": min(
                project.bonus_children_collectives, project.agreed_collectives or 0
            )
            if children_granted
            else 0,
            "bonus_parents_collectives": min(
                project.bonus_parents_collectives, project.agreed_collectives or 0
            )
            if parents_granted
            else 0,
        }
        due = campaign.forecast_due_on
    declaration = Declaration.objects.create(project=project, kind=kind, due_on=due, **fields)
    # Fewer collectives retained than requested: the forecast starts from the request's budget
    # prorated to them, as the committee's decision was computed (issue 17).
    requested = project.collectives.count() if kind == D.Kind.FORECAST else 0
    kept = fields["collectives"]
    DeclarationLine.objects.bulk_create(
        DeclarationLine(
            declaration=declaration,
            account=line.account,
            financer=line.financer,
            amount=prorate_lines([(line.account, line.amount)], kept=kept, of=requested)[0][1],
        )
        for line in source_lines
    )
    workflow.record(project, by=by, action=f"open_{kind}")
    return declaration


def _locked(declaration_id, user):
    return DECLARATION.lock(declaration_id, user, "project__campaign", "project__carrier")


@transaction.atomic
def submit(declaration_id, *, by, justifications):
    """Errors block; each warning needs a justification written next to it."""
    declaration = _locked(declaration_id, by)
    if not can(by, "declarations.edit", declaration):
        raise DeclarationError("Seul le porteur transmet sa déclaration.")
    if declaration.status not in (D.Status.DRAFT, D.Status.RETURNED):
        raise DeclarationError(
            "Cette déclaration est déjà transmise : elle ne l'a été qu'une fois."
        )
    bonus_costs.check_before_submit(declaration)
    found = findings(declaration)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        raise DeclarationError("La déclaration contient des erreurs bloquantes.", items=errors)
    warnings = [f for f in found if f.severity == "warning"]
    missing = [f for f in warnings if not (justifications.get((f.code, f.field)) or "").strip()]
    if missing:
        raise DeclarationError(
            "Justifiez chaque point signalé avant de transmettre.", items=missing
        )
    declaration.justifications.exclude(code__in=[f.code for f in warnings]).delete()
    for finding in warnings:
        Justification.objects.update_or_create(
            declaration=declaration,
            code=finding.code,
            field=finding.field,
            defaults={
                "text": justifications[(finding.code, finding.field)].strip(),
                "status": Justification.Status.PENDING,
                "decided_by": None,
                "decided_at": None,
                "decision_note": "",
                # A new submission is a new examination: no effect, no answer yet (issue 17).
                "effect": "",
                "effect_collectives": [],
                "effect_value": None,
                "effect_bonus": "",
                "carrier_answer": "",
                "answered_at": None,
                "answered_by": None,
            },
        )
    return DECLARATION.fire(
        declaration.pk,
        "submit",
        by=by,
        obj=declaration,
        data={"findings": len(found)},
        findings=[f.as_dict() for f in found],
        submitted_at=timezone.now(),
        submitted_by=by,
        return_message="",
    )


def _require_processor(declaration, by):
    if not can(by, "declarations.process", declaration):
        raise DeclarationError("Seul le gestionnaire conseil (GC) traite les déclarations.")
    if declaration.status != D.Status.SUBMITTED:
        raise DeclarationError(
            f"Action impossible : la déclaration est au statut « "
            f"{declaration.get_status_display()} »."
        )


# What each check is about, in words: the history never shows a check's code (issue 20).
CHECK_TOPICS = {
    "weeks_above_maximum": "semaines au-dessus du maximum",
    "weeks_below_minimum": "semaines sous le minimum",
    "weeks_split_mismatch": "répartition des semaines",
    "collectives_above_agreed": "collectifs au-delà de l'agrément",
    "children_count_mismatch": "nombre d'enfants",
    "children_out_of_range": "enfants par collectif hors de la fourchette",
    "bonus_not_granted": "bonus non accordé",
    "bonus_above_collectives": "bonus au-delà des collectifs",
    "bonus_not_in_forecast": "bonus absent du prévisionnel",
    "charges_variation": "écart des charges avec le prévisionnel",
    "budget_imbalance": "budget déséquilibré",
}


def check_topic(code):
    return CHECK_TOPICS.get(code, "point signalé")


@transaction.atomic
def return_for_correction(declaration_id, *, by, message):
    declaration = _locked(declaration_id, by)
    _require_processor(declaration, by)
    if not message.strip():
        raise DeclarationError("Expliquez au porteur ce qu'il doit corriger.")
    return DECLARATION.fire(
        declaration.pk, "return", by=by, obj=declaration, note=message, return_message=message
    )


@transaction.atomic
def validate(declaration_id, *, by, confirm_excess=False):
    """Freeze the right with the funding engine, on the figures retained after the GC's
    rejections, and open the payments it gives. An actual right above the validated forecast
    (beyond the Caf's tolerance) needs `confirm_excess` (issue 17)."""
    from funding.models import CafPolicy

    from .excess import excess_of

    declaration = _locked(declaration_id, by)
    _require_processor(declaration, by)
    pending = declaration.justifications.filter(status=Justification.Status.PENDING).count()
    if pending:
        raise DeclarationError(
            f"{pending} justification{pluralize(pending)} à accepter ou rejeter avant de valider."
        )
    if any(f.severity == "error" for f in findings(declaration)):
        raise DeclarationError("La déclaration contient des erreurs bloquantes.")
    project = declaration.project
    computation = store_computation(
        data=funding_case(declaration),
        kind=declaration.kind,
        project=project,
        by=by,
        is_decision=True,
    )
    result = computation.result
    excess = excess_of(declaration, result)
    if excess and excess.needs_confirmation and not confirm_excess:
        raise DeclarationError(excess.refusal_message)
    DECLARATION.fire(
        declaration.pk,
        "validate",
        by=by,
        obj=declaration,
        note=f"Droit : {format_euros(computation.right)}",
        data={"right": str(computation.right)},
        context={
            "right": format_euros(computation.right),
            "rejected": "; ".join(effect_text(j) for j in rejections(declaration)),
        },
        validated_at=timezone.now(),
        validated_by=by,
        computation=computation,
        right=computation.right,
    )
    if declaration.is_actual:
        balance = Decimal(result["actual"]["balance"])
        kind = Payment.Kind.BALANCE if balance >= 0 else Payment.Kind.RECOVERY
        status = Payment.Status.TO_PAY if balance >= 0 else Payment.Status.TO_RECOVER
        _set_payment(project, declaration, computation, kind, abs(balance), status, by)
    else:
        policy = CafPolicy.of(project.campaign.caf)
        cap = computation.bareme.advances_cap
        first, second = split_advances(Decimal(result["forecast"]["right"]), policy, cap)
        _set_payment(
            project,
            declaration,
            computation,
            Payment.Kind.FIRST_ADVANCE,
            first,
            Payment.Status.TO_PAY,
            by,
        )
        _set_payment(
            project,
            declaration,
            computation,
            Payment.Kind.SECOND_ADVANCE,
            second,
            Payment.Status.TO_PAY,
            by,
        )
    return declaration
