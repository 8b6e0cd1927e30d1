"""What a revised decision or a changed agrément does to a project's money (issue 17).

One plan, computed from the rows as they are, gives both the list the committee member confirms
(`describe`) and what is carried out (`apply`, under lock, in the decision's transaction):

- the committee's new decision is not an approval (« refusé », « ajourné »): open declarations
  are cancelled, payments not paid yet are cancelled, and what the Caf paid becomes an amount
  to recover (indu), with its step-by-step explanation;
- approved again with other figures: open declarations stay and are computed at validation on
  the new figures; once a forecast is validated, its advances rest on the old figures, so the
  committee refuses or withdraws instead (the person is told);
- suspension: payments not paid yet are held (« Suspendu »), nothing is recovered; lifting it
  puts them back to « À payer » (the weeks missed show in the actual declaration, §4.4);
- withdrawal: open declarations and unpaid payments are cancelled, the year's right is
  prorated to the weeks run (funding.withdrawal) and what was paid above it is to recover.

Every payment carries `project_approved`, written in the same transaction: the database then
refuses any payment to pay or sent on a project that is no longer approved.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from clasportal import messenger
from clasportal.formatting import format_euros
from clasportal.transitions import TransitionError
from funding.withdrawal import Withdrawal, settle_withdrawal
from projects import workflow

from .models import Declaration, Payment, Recovery
from .workflow import DECLARATION, PAYMENT

ZERO = Decimal("0")
D = Declaration.Status
P = Payment.Status
OPEN_DECLARATIONS = (D.DRAFT, D.SUBMITTED, D.RETURNED)
UNPAID = (P.TO_PAY, P.SENT, P.ON_HOLD)
MONEY_KINDS = (Payment.Kind.FIRST_ADVANCE, Payment.Kind.SECOND_ADVANCE, Payment.Kind.BALANCE)


@dataclass
class Plan:
    cancel_declarations: list = field(default_factory=list)
    cancel_payments: list = field(default_factory=list)
    hold_payments: list = field(default_factory=list)
    release_payments: list = field(default_factory=list)
    paid_lines: list = field(default_factory=list)  # (label, amount) paid by the Caf
    paid: Decimal = ZERO
    claimed: Decimal = ZERO  # already claimed back (recovered balances, notified indus)
    right_kept: Decimal = ZERO
    to_recover: Decimal = ZERO
    settlement: object = None  # funding.withdrawal.WithdrawalResult on a withdrawal
    lines: list = field(default_factory=list)
    approved_after: bool = True
    recovery: object = None  # the Recovery created, once carried out
    year_right: Decimal | None = None  # withdrawal: the right before the prorata, its weeks
    weeks_planned: int | None = None


# Refused consequences are refused transitions: the committee's views already catch them.
ConsequenceError = TransitionError


def _year_right(project, declarations):
    """The right of the year and its weeks: the validated declaration's (actual first), else
    the committee's decision on the request's planned weeks."""
    from .services import retained_decision

    validated = [d for d in declarations if d.status == D.VALIDATED and d.right is not None]
    validated.sort(key=lambda d: d.kind != Declaration.Kind.ACTUAL)
    if validated:
        return validated[0].right, validated[0].weeks
    decision = retained_decision(project)
    right = (decision.forecast_ps + decision.forecast_bonus) if decision else ZERO
    weeks = [d.weeks for d in declarations if d.weeks] or [
        c.planned_weeks for c in project.collectives.all() if c.planned_weeks
    ]
    return right, min(weeks, default=0)


def plan(project, change, *, lock=False):
    payments = Payment.objects.filter(project=project).order_by("created_at", "pk")
    declarations = Declaration.objects.filter(project=project).order_by("kind", "pk")
    if lock:
        payments = payments.select_for_update()
        declarations = declarations.select_for_update()
    payments, declarations = list(payments), list(declarations)
    result = Plan(approved_after=change.kind in ("refigure", "lifting"))
    if change.kind == "lifting":
        result.release_payments = [p for p in payments if p.status == P.ON_HOLD]
        result.lines = [
            f"{p.get_kind_display()} de {format_euros(p.amount)} : repris, à payer."
            for p in result.release_payments
        ]
        return result
    if change.kind == "suspension":
        result.hold_payments = [p for p in payments if p.status in (P.TO_PAY, P.SENT)]
        result.lines = [
            f"{p.get_kind_display()} de {format_euros(p.amount)} ({p.get_status_display()}) : "
            "suspendu jusqu'à la levée de la suspension."
            for p in result.hold_payments
        ]
        result.lines.append("Aucun paiement ne pourra avancer tant que l'agrément est suspendu.")
        return result
    if change.kind == "refigure":
        if any(
            d.kind == Declaration.Kind.FORECAST and d.status == D.VALIDATED for d in declarations
        ):
            raise ConsequenceError(
                "La déclaration prévisionnelle est validée et ses acomptes reposent sur les "
                "chiffres agréés : le comité ne peut plus les changer par une révision. Refusez "
                "ou retirez l'agrément (l'indu est alors calculé), ou gardez la décision."
            )
        result.lines = [
            f"{d.get_kind_display()} ({d.get_status_display().lower()}) : reste ouverte et sera "
            f"calculée à sa validation sur {change.collectives} collectif"
            f"{'s' if (change.collectives or 0) > 1 else ''} retenu"
            f"{'s' if (change.collectives or 0) > 1 else ''}."
            for d in declarations
            if d.status in OPEN_DECLARATIONS
        ]
        return result
    # A revision that ends the agrément, or a withdrawal.
    result.cancel_declarations = [d for d in declarations if d.status in OPEN_DECLARATIONS]
    result.cancel_payments = [p for p in payments if p.status in UNPAID or p.status == P.TO_RECOVER]
    for p in payments:
        if p.kind in MONEY_KINDS and p.status == P.PAID:
            result.paid_lines.append((p.get_kind_display().lower(), p.amount))
            result.paid += p.amount
        elif p.kind == Payment.Kind.RECOVERY and p.status == P.RECOVERED:
            result.claimed += p.amount
    result.claimed += sum(
        (r.amount for r in project.recoveries.exclude(status=Recovery.Status.CANCELLED)), ZERO
    )
    if change.kind == "withdrawal":
        right, weeks_planned = _year_right(project, declarations)
        result.year_right, result.weeks_planned = right, weeks_planned
        if weeks_planned <= 0:
            raise ConsequenceError(
                "Le nombre de semaines prévues de l'année est inconnu : le droit ne peut pas être "
                "proratisé."
            )
        result.settlement = settle_withdrawal(
            Withdrawal(
                right=right,
                weeks_planned=weeks_planned,
                weeks_run=change.weeks_run or 0,
                paid=result.paid,
            )
        )
        result.right_kept = result.settlement.prorated_right
    result.to_recover = max(result.paid - result.right_kept - result.claimed, ZERO)
    if change.kind == "revision" and not payments and not result.cancel_declarations:
        return result  # no money yet: the revision is the committee's alone, nothing follows
    result.lines = _lines(result, change)
    return result


def _lines(result, change):
    lines = [
        f"{d.get_kind_display()} ({d.get_status_display().lower()}) : annulée."
        for d in result.cancel_declarations
    ]
    for p in result.cancel_payments:
        extra = " — prévenez la comptabilité" if p.status == P.SENT else ""
        if p.status == P.TO_RECOVER:
            extra = " — remplacé par l'indu ci-dessous"
        lines.append(
            f"{p.get_kind_display()} de {format_euros(p.amount)} ({p.get_status_display()}) : "
            f"annulé{extra}."
        )
    if result.settlement is not None and not result.year_right:
        lines.append(
            "Aucun droit n'a été chiffré pour l'année (ni décision chiffrée, ni déclaration "
            "validée) : rien à proratiser."
        )
    elif result.settlement is not None:
        lines.append(
            f"Droit de l'année {format_euros(result.year_right)} au prorata des semaines "
            f"réalisées ({change.weeks_run} sur {result.weeks_planned}) : "
            f"{format_euros(result.right_kept)}."
        )
    if result.to_recover:
        lines.append(
            f"Déjà payé : {format_euros(result.paid)} → indu à récupérer de "
            f"{format_euros(result.to_recover)}, notifié au porteur avec son motif."
        )
    elif result.paid:
        lines.append(f"Déjà payé : {format_euros(result.paid)}, rien de plus à récupérer.")
    if result.settlement is not None and result.settlement.still_due:
        lines.append(
            f"Reste dû au porteur : {format_euros(result.settlement.still_due)} (réglé par le GC)."
        )
    lines.append("Aucun paiement ne pourra plus avancer sur ce projet.")
    return lines


def _explanation(project, result, change):
    """The carrier's step-by-step explanation of the amount to recover, in French."""
    today = timezone.localdate()
    if result.settlement is not None:
        steps = [
            f"Le comité départemental a retiré l'agrément à compter du "
            f"{change.effective_on:%d/%m/%Y}. Motif : {change.reason}",
            # The right, the weeks, the prorata and what was paid; the balance is said below.
            *result.settlement.steps[:4],
        ]
    else:
        detail = " + ".join(
            f"{label} {format_euros(amount)}" for label, amount in result.paid_lines
        )
        steps = [
            f"Le comité départemental a revu sa décision le {today:%d/%m/%Y} : projet "
            f"{change.outcome_label}. Motif : {change.reason}",
            "Sans agrément, le projet n'ouvre plus droit à la prestation de service Clas : "
            "droit retenu 0,00 €.",
            f"Versé par la Caf : {detail} = {format_euros(result.paid)}.",
        ]
    if result.claimed:
        steps.append(f"Déjà demandé ou récupéré auparavant : {format_euros(result.claimed)}.")
    steps.append(
        f"Indu à récupérer : {format_euros(result.paid)} − {format_euros(result.right_kept)}"
        + (f" − {format_euros(result.claimed)}" if result.claimed else "")
        + f" = {format_euros(result.to_recover)}."
    )
    return steps


class Provider:
    """Registered in projects.consequences by DeclarationsConfig.ready."""

    @staticmethod
    def describe(project, change):
        return plan(project, change).lines

    @staticmethod
    def apply(project, change, *, by):
        return carry_out(project, change, by=by).lines


def carry_out(project, change, *, by):
    """Lock the project's declarations and payments, plan again and carry the plan out."""
    result = plan(project, change, lock=True)
    note = change.reason
    for declaration in result.cancel_declarations:
        DECLARATION.fire(declaration.pk, "cancel", by=by, obj=declaration, note=note)
    for payment in result.cancel_payments:
        _fire_payment(payment, "cancel_payment", by, note, approved=result.approved_after)
    for payment in result.hold_payments:
        _fire_payment(payment, "hold_payment", by, note, approved=False)
    for payment in result.release_payments:
        _fire_payment(payment, "release_payment", by, note, approved=True)
    # The copy of the agrément on every payment, paid ones included (same transaction).
    Payment.objects.filter(project=project).exclude(project_approved=result.approved_after).update(
        project_approved=result.approved_after
    )
    recovery = None
    if result.to_recover:
        recovery = Recovery.objects.create(
            project=project,
            origin=Recovery.Origin.WITHDRAWAL
            if change.kind == "withdrawal"
            else Recovery.Origin.REVISION,
            amount=result.to_recover,
            reason=change.reason,
            explanation=_explanation(project, result, change),
            notified_by=by,
        )
        workflow.record(
            recovery,
            by=by,
            action="recovery_notified",
            note=f"{format_euros(recovery.amount)} — {change.reason}",
            data={"before": "0.00", "after": str(recovery.amount)},
            to_status=recovery.status,
            kind="recovery",
        )
        messenger.send(
            "recovery_notified",
            to=messenger.recipients_for(project, ("carrier_members",)),
            context={"object": recovery, "amount": format_euros(recovery.amount)},
        )
    if result.lines:
        workflow.record(
            project,
            by=by,
            action="consequences",
            note=" ".join(result.lines),
            data={"change": change.kind, "lines": result.lines},
        )
    result.recovery = recovery
    return result


def _fire_payment(payment, action, by, note, *, approved):
    PAYMENT.fire(
        payment.pk,
        action,
        by=by,
        obj=payment,
        note=note,
        data={"amount": str(payment.amount)},
        project_approved=approved,
    )
