"""Declared transitions of declarations and payments (see clasportal.transitions)."""

from clasportal.transitions import Transition, Workflow
from projects.workflow import record

from .models import Declaration, Payment, Recovery

D = Declaration.Status
P = Payment.Status
R = Recovery.Status
# Issue 17: what a revised decision or a changed agrément does, by the committee member.
FOLLOW = "declarations.follow_agreement"


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
        "cancel": Transition(
            "Annuler la déclaration",
            frozenset({D.DRAFT, D.SUBMITTED, D.RETURNED}),
            D.CANCELLED,
            FOLLOW,
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
        "cancel_payment": Transition(
            "Annuler le paiement",
            frozenset({P.TO_PAY, P.SENT, P.ON_HOLD, P.TO_RECOVER}),
            P.CANCELLED,
            FOLLOW,
        ),
        "hold_payment": Transition(
            "Suspendre le paiement",
            frozenset({P.TO_PAY, P.SENT}),
            P.ON_HOLD,
            FOLLOW,
        ),
        # A lifted suspension puts the payment back at the start of the accounting flow: what
        # was sent before is sent again, the accounting system having been told to hold it.
        "release_payment": Transition(
            "Reprendre le paiement",
            frozenset({P.ON_HOLD}),
            P.TO_PAY,
            FOLLOW,
        ),
    },
)


def _record_recovery(recovery, *, action, **event):
    return record(recovery, action=action, **event)


RECOVERY = Workflow(
    subject="recovery",
    model=Recovery,
    statuses=Recovery.Status,
    noun="l'indu",
    record=_record_recovery,
    transitions={
        "offset_recovery": Transition(
            "Récupéré sur le prochain paiement",
            frozenset({R.NOTIFIED}),
            R.OFFSET,
            "declarations.settle_recovery",
        ),
        "repay_recovery": Transition(
            "Remboursé par le porteur",
            frozenset({R.NOTIFIED}),
            R.REPAID,
            "declarations.settle_recovery",
        ),
        "cancel_recovery": Transition(
            "Annuler l'indu",
            frozenset({R.NOTIFIED}),
            R.CANCELLED,
            "declarations.settle_recovery",
        ),
    },
)

# The next step of a payment in the accounting flow, as an action name.
NEXT_PAYMENT_ACTION = {P.TO_PAY: "send_payment", P.SENT: "pay", P.TO_RECOVER: "recover"}
