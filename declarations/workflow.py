"""Declared transitions of declarations and payments (see clasportal.transitions)."""

from clasportal.transitions import Transition, Workflow
from projects.workflow import record

from .models import Declaration, Payment

D = Declaration.Status
P = Payment.Status


def _record_declaration(declaration, *, action, **event):
    # The audit trail names the kind: "déclaration prévisionnelle transmise".
    return record(declaration, action=f"{action}_{declaration.kind}", **event)


DECLARATION = Workflow(
    subject="declaration",
    model=Declaration,
    statuses=Declaration.Status,
    noun="la déclaration",
    record=_record_declaration,
    transitions={
        "submit": Transition(
            "Transmettre à la Caf",
            frozenset({D.DRAFT, D.RETURNED}),
            D.SUBMITTED,
            "declarations.edit",
            email="declaration_submitted",
            recipients=("declarations.process",),
        ),
        "return": Transition(
            "Renvoyer pour correction",
            frozenset({D.SUBMITTED}),
            D.RETURNED,
            "declarations.process",
            email="declaration_returned",
            recipients=("carrier_members",),
        ),
        "validate": Transition(
            "Valider le droit",
            frozenset({D.SUBMITTED}),
            D.VALIDATED,
            "declarations.process",
            email="declaration_validated",
            recipients=("carrier_members", "declarations.advance_payment"),
        ),
    },
)


def _record_payment(payment, *, action, **event):
    return record(payment, action=action, **event)


PAYMENT = Workflow(
    subject="payment",
    model=Payment,
    statuses=Payment.Status,
    noun="le paiement",
    record=_record_payment,
    transitions={
        "send_payment": Transition(
            "Transmettre à la comptabilité",
            frozenset({P.TO_PAY}),
            P.SENT,
            "declarations.advance_payment",
        ),
        "pay": Transition(
            "Marquer payé",
            frozenset({P.SENT}),
            P.PAID,
            "declarations.advance_payment",
            email="payment_paid",
            recipients=("carrier_members",),
        ),
        "recover": Transition(
            "Marquer récupéré",
            frozenset({P.TO_RECOVER}),
            P.RECOVERED,
            "declarations.advance_payment",
        ),
    },
)

# The next step of a payment in the accounting flow, as an action name.
NEXT_PAYMENT_ACTION = {P.TO_PAY: "send_payment", P.SENT: "pay", P.TO_RECOVER: "recover"}
