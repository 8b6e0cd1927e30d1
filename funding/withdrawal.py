"""The right left when an agrément is withdrawn during the year (Vosges note: the committee
« retire les agréments en cours si des manquements sont constatés »), and what it means for the
money already paid.

Pure, like the engine: Decimal in, Decimal out, no ORM, no clock. The right is prorated to the
weeks of activity actually run before the withdrawal, rounded once, to the cent, half up
(SPEC §4.2); what was paid above it is an amount to recover, what was paid below it is still due.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from clasportal.formatting import format_euros

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Withdrawal:
    right: Decimal  # the yearly right the agrément gave (PS + bonuses)
    weeks_planned: int  # weeks of activity the right was computed for
    weeks_run: int  # weeks actually run before the withdrawal
    paid: Decimal  # what the Caf has already paid on this year (advances, balance)


@dataclass(frozen=True)
class WithdrawalResult:
    prorated_right: Decimal
    to_recover: Decimal
    still_due: Decimal
    steps: tuple[str, ...]


class WithdrawalError(ValueError):
    """Figures the proration cannot be computed from, with a French message."""


def prorated_right(right: Decimal, weeks_run: int, weeks_planned: int) -> Decimal:
    """right × weeks run ÷ weeks planned, never above the right, rounded once half up."""
    if weeks_planned <= 0:
        raise WithdrawalError("Le nombre de semaines prévues doit être positif.")
    if weeks_run < 0:
        raise WithdrawalError("Le nombre de semaines réalisées ne peut pas être négatif.")
    weeks = min(weeks_run, weeks_planned)
    return (right * weeks / weeks_planned).quantize(CENT, rounding=ROUND_HALF_UP)


def settle_withdrawal(case: Withdrawal) -> WithdrawalResult:
    """The prorated right and, against what was paid, the amount to recover or still due,
    with the step-by-step explanation the carrier reads (in French)."""
    prorated = prorated_right(case.right, case.weeks_run, case.weeks_planned)
    weeks = min(case.weeks_run, case.weeks_planned)
    to_recover = max(case.paid - prorated, ZERO)
    still_due = max(prorated - case.paid, ZERO)
    steps = [
        f"Droit de l'année ouvert par l'agrément : {format_euros(case.right)}, "
        f"pour {case.weeks_planned} semaines d'activité prévues.",
        f"Semaines d'activité réalisées avant le retrait : {weeks} sur {case.weeks_planned}.",
        f"Droit au prorata des semaines réalisées : {format_euros(case.right)} × {weeks} ÷ "
        f"{case.weeks_planned} = {format_euros(prorated)} (arrondi au centime).",
        f"Déjà versé par la Caf : {format_euros(case.paid)}.",
    ]
    if to_recover:
        steps.append(
            f"Indu à récupérer : {format_euros(case.paid)} − {format_euros(prorated)} = "
            f"{format_euros(to_recover)}."
        )
    elif still_due:
        steps.append(
            f"Reste dû par la Caf : {format_euros(prorated)} − {format_euros(case.paid)} = "
            f"{format_euros(still_due)}."
        )
    else:
        steps.append("Le versé correspond au droit : rien à récupérer, rien à verser.")
    return WithdrawalResult(prorated, to_recover, still_due, tuple(steps))
