"""The one writer of engine inputs: a funding case (shared/funding/CONTRACT.md) from plain values.

The request's simulation and committee decision, the declarations' validation and the simulator
hand their figures here and get the JSON case that `clas_funding` reads and that
`FundingComputation.inputs` keeps, so a stored decision can be computed again as it was.

Budget lines go in as they are: the engine decides what counts as cost price (class 6, plus 860
and 861 with their sub-accounts for associations and mutuelles; SPEC §4.2), so no caller filters
accounts for it. Pure: no ORM, and no other app of the project.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DeclarationFigures:
    """One declaration (forecast or actual) as the engine reads it."""

    collectives: int
    weeks: int
    # (account, amount) pairs, several per account allowed (one line per financer).
    lines: Iterable[tuple[str, Decimal]] = field(default=())
    bonus_children_collectives: int = 0
    bonus_parents_collectives: int = 0


def prorate_lines(
    lines: Iterable[tuple[str, Decimal]], *, kept: int, of: int
) -> list[tuple[str, Decimal]]:
    """Budget lines prorated to `kept` collectives out of `of` (amount × kept / of, half up to
    the cent per line): the cost of the collectives the committee retains, or of those left once
    the GC excludes one (issue 17). Unchanged when every collective is kept."""
    if of <= 0 or kept >= of:
        return [(account, amount) for account, amount in lines]
    return [
        (account, (amount * kept / of).quantize(CENT, rounding=ROUND_HALF_UP))
        for account, amount in lines
    ]


def build_case(
    *,
    bareme_year: int,
    carrier_kind: str,
    collectives_agreed: int | None,
    forecast: DeclarationFigures,
    min_weeks: int = 27,
    bonus_children_granted: bool = False,
    bonus_parents_granted: bool = False,
    actual: DeclarationFigures | None = None,
    advances_paid: Decimal | None = None,
) -> dict:
    """The contract's case: plain JSON values, every amount a decimal string."""
    case = {
        "bareme_year": bareme_year,
        "carrier_kind": carrier_kind,
        "collectives_agreed": collectives_agreed,
        "min_weeks": min_weeks,
        "bonus_children_granted": bonus_children_granted,
        "bonus_parents_granted": bonus_parents_granted,
        "forecast": _declaration(forecast),
    }
    if actual is not None:
        case["actual"] = _declaration(actual)
        case["advances_paid"] = _amount_text(advances_paid or Decimal("0"))
    return case


def _declaration(figures: DeclarationFigures) -> dict:
    charges: dict[str, Decimal] = {}
    for account, amount in figures.lines:
        charges[account] = charges.get(account, Decimal("0")) + amount
    return {
        "collectives": figures.collectives,
        "weeks": figures.weeks,
        "charges": {account: _amount_text(amount) for account, amount in charges.items()},
        "bonus_children_collectives": figures.bonus_children_collectives,
        "bonus_parents_collectives": figures.bonus_parents_collectives,
    }


def _amount_text(amount: Decimal) -> str:
    # Two decimals when that is exact; otherwise the full value, which the case parser refuses
    # (too many decimals) instead of this writer rounding an amount silently.
    try:
        exact = amount == amount.quantize(CENT)
    except InvalidOperation:  # too many digits for cents: the parser reports it
        exact = False
    return f"{amount:.2f}" if exact else f"{amount:f}"
