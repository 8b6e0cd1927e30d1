"""Payments: the two advances per the Caf's schedule, the balance or the amount to recover,
and their status in the accounting flow. Every change is a history row with its reason."""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from clasportal.formatting import format_euros

from .errors import DeclarationError
from .models import Payment

CENT = Decimal("0.01")


def split_advances(right, policy, cap):
    """Two advances per the Caf's schedule, together never above the cap, rounded down."""
    ceiling = (right * cap).quantize(CENT, rounding=ROUND_DOWN)
    first = min((right * policy.first_advance_rate).quantize(CENT, rounding=ROUND_DOWN), ceiling)
    both = min(
        (right * (policy.first_advance_rate + policy.second_advance_rate)).quantize(
            CENT, rounding=ROUND_DOWN
        ),
        ceiling,
    )
    return first, both - first


def _set_payment(project, declaration, computation, kind, amount, status, by):
    if project.status != "approved":
        # Issue 17: a project no longer approved opens no payment (its validation rolls back).
        raise DeclarationError(
            f"Le projet est au statut « {project.get_status_display()} » : aucun paiement ne "
            "peut être ouvert tant qu'il n'est pas agréé."
        )
    payment = Payment.objects.filter(project=project, kind=kind).first()
    if payment is None:
        payment = Payment(
            project=project,
            declaration=declaration,
            kind=kind,
            amount=amount,
            status=status,
            computation=computation,
            # The payee as the Caf knew it when the right was validated: a later change of the
            # carrier's identity does not redirect money already decided.
            payee_name=project.carrier.legal_name,
            payee_siret=project.carrier.siret,
        )
        payment._change_reason = "Calcul à la validation de la déclaration"
        payment.save()
        return payment
    if (
        payment.status in (Payment.Status.PAID, Payment.Status.RECOVERED)
        and payment.amount != amount
    ):
        raise DeclarationError(
            f"{payment.get_kind_display()} déjà payé : son montant ne peut plus changer."
        )
    payment.amount, payment.computation, payment.declaration = amount, computation, declaration
    payment._change_reason = "Nouveau calcul à la validation"
    payment.save()
    return payment


PAYMENT_FLOW = {
    Payment.Status.TO_PAY: Payment.Status.SENT,
    Payment.Status.SENT: Payment.Status.PAID,
    Payment.Status.TO_RECOVER: Payment.Status.RECOVERED,
}


def advance_payment(payment_id, *, by, reason=""):
    """One step forward in the accounting flow, through the payment's declared transitions."""
    from .workflow import NEXT_PAYMENT_ACTION, PAYMENT

    with transaction.atomic():
        payment = PAYMENT.lock(payment_id, by, "project__campaign")
        action = NEXT_PAYMENT_ACTION.get(payment.status)
        if action is None:
            raise DeclarationError("Ce paiement est soldé.")
        return PAYMENT.fire(
            payment.pk,
            action,
            by=by,
            obj=payment,
            note=reason,
            data={"amount": str(payment.amount)},
            context={"amount": format_euros(payment.amount)},
        )
