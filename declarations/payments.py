"""Payments: the two advances per the Caf's schedule, the balance or the amount to recover,
and their status in the accounting flow. Every change is a history row with its reason."""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from clasportal.models import Role

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
    payment = Payment.objects.filter(project=project, kind=kind).first()
    if payment is None:
        payment = Payment(
            project=project,
            declaration=declaration,
            kind=kind,
            amount=amount,
            status=status,
            computation=computation,
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


@transaction.atomic
def advance_payment(payment_id, *, by, reason=""):
    payment = (
        Payment.objects.select_for_update()
        .select_related("project__campaign")
        .get(pk=payment_id, project__campaign__caf=by.caf)
    )
    if by.role != Role.PROCESSOR:
        raise DeclarationError("Seul le gestionnaire conseil fait avancer un paiement.")
    target = PAYMENT_FLOW.get(payment.status)
    if target is None:
        raise DeclarationError("Ce paiement est soldé.")
    payment.status = target
    payment._change_reason = reason or f"Passage au statut « {Payment.Status(target).label} »"
    payment.save()
    return payment
