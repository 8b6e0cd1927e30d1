"""The Clas funding engine: PS, bonuses, rights, advances and balance (SPEC §4).

Pure: plain dataclasses of Decimal in, plain dataclasses out. No ORM, no settings, no clock.
Amounts are never rounded before the end; each published figure is rounded once, to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from clasportal.formatting import format_euros, format_rate  # noqa: F401 (part of the engine's output)

CENT = Decimal("0.01")
ZERO = Decimal("0")

CARRIER_KINDS = (
    "association",
    "mutuelle",
    "collectivite",
    "etablissement_public",
    "etablissement_prive_social",
    "entreprise",
)
# SPEC §4.2: associations and mutuelles add their voluntary contributions 860 and 861.
KINDS_COUNTING_CONTRIBUTIONS = frozenset({"association", "mutuelle"})
CONTRIBUTION_ACCOUNTS = ("860", "861")

BONUS_KEYS = ("bonus_children_collectives", "bonus_parents_collectives")


@dataclass(frozen=True)
class Bareme:
    year: int
    rate: Decimal
    ceiling: Decimal
    bonus_children: Decimal
    bonus_parents: Decimal
    advances_cap: Decimal = Decimal("0.70")


@dataclass(frozen=True)
class Declaration:
    collectives: int
    weeks: int
    charges: Mapping[str, Decimal]
    bonus_children_collectives: int = 0
    bonus_parents_collectives: int = 0


@dataclass(frozen=True)
class FundingCase:
    bareme: Bareme
    carrier_kind: str
    collectives_agreed: int
    forecast: Declaration
    min_weeks: int = 27
    bonus_children_granted: bool = False
    bonus_parents_granted: bool = False
    actual: Declaration | None = None
    advances_paid: Decimal = ZERO


@dataclass(frozen=True)
class DeclarationResult:
    cost_price: Decimal
    cost_per_collective: Decimal
    retained_cost_per_collective: Decimal
    weeks_factor: Decimal
    ps: Decimal
    bonus_children_collectives: int
    bonus_parents_collectives: int
    bonus_children: Decimal
    bonus_parents: Decimal
    right: Decimal
    explanations: tuple[str, ...] = field(default=())
    advances_max: Decimal | None = None
    balance: Decimal | None = None


@dataclass(frozen=True)
class FundingResult:
    bareme: Bareme
    forecast: DeclarationResult
    actual: DeclarationResult | None = None


def to_cent(amount: Decimal) -> Decimal:
    """Half up to the cent (SPEC §4.2: 2 758,275 → 2 758,28), never banker's rounding."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cost_price(carrier_kind: str, charges: Mapping[str, Decimal]) -> Decimal:
    """Class 6 charges, plus 860 and 861 for associations and mutuelles (SPEC §4.2)."""
    total = ZERO
    for account, amount in charges.items():
        if account.startswith("6"):
            total += amount
        elif carrier_kind in KINDS_COUNTING_CONTRIBUTIONS and account.startswith(
            CONTRIBUTION_ACCOUNTS
        ):
            # 860 and 861 with their sub-accounts (8601…); 862 and 864 never count.
            total += amount
    return total


def _weeks_factor(weeks: int, min_weeks: int) -> tuple[int, int]:
    """As a fraction, so the division happens once, after the multiplications."""
    if weeks < min_weeks:
        return weeks, min_weeks
    return 1, 1


def compute_declaration(
    case: FundingCase,
    declaration: Declaration,
    *,
    bonus_caps: Mapping[str, int] | None = None,
) -> DeclarationResult:
    bareme = case.bareme
    n = declaration.collectives
    with localcontext() as ctx:
        ctx.prec = 60
        price = cost_price(case.carrier_kind, declaration.charges)
        per_collective = price / n
        retained_per_collective = min(per_collective, bareme.ceiling)
        retained_total = min(price, bareme.ceiling * n)
        numerator, denominator = _weeks_factor(declaration.weeks, case.min_weeks)
        ps = to_cent(bareme.rate * retained_total * numerator / denominator)

        granted = {
            "bonus_children_collectives": case.bonus_children_granted,
            "bonus_parents_collectives": case.bonus_parents_granted,
        }
        concerned = {}
        for key in BONUS_KEYS:
            declared = getattr(declaration, key)
            count = min(declared, n) if granted[key] else 0
            if bonus_caps is not None:
                count = min(count, bonus_caps[key])
            concerned[key] = max(count, 0)
        bonus_children = to_cent(bareme.bonus_children * concerned["bonus_children_collectives"])
        bonus_parents = to_cent(bareme.bonus_parents * concerned["bonus_parents_collectives"])
        right = ps + bonus_children + bonus_parents

    explanations = _explain(
        case,
        declaration,
        price,
        retained_per_collective,
        numerator,
        denominator,
        ps,
        concerned,
        bonus_children,
        bonus_parents,
        right,
    )
    return DeclarationResult(
        cost_price=to_cent(price),
        cost_per_collective=to_cent(per_collective),
        retained_cost_per_collective=to_cent(retained_per_collective),
        weeks_factor=Decimal(numerator) / Decimal(denominator),
        ps=ps,
        bonus_children_collectives=concerned["bonus_children_collectives"],
        bonus_parents_collectives=concerned["bonus_parents_collectives"],
        bonus_children=bonus_children,
        bonus_parents=bonus_parents,
        right=right,
        explanations=explanations,
    )


def advances_max(forecast_right: Decimal, cap: Decimal) -> Decimal:
    """The advances together never exceed the cap (70 %) of the forecast right: rounded down."""
    return (forecast_right * cap).quantize(CENT, rounding=ROUND_DOWN)


def compute(case: FundingCase) -> FundingResult:
    forecast = compute_declaration(case, case.forecast)
    forecast = replace(
        forecast, advances_max=advances_max(forecast.right, case.bareme.advances_cap)
    )
    actual = None
    if case.actual is not None:
        # SPEC §4.3: a bonus not declared in the forecast cannot appear in the actual one.
        caps = {key: getattr(forecast, key) for key in BONUS_KEYS}
        actual = compute_declaration(case, case.actual, bonus_caps=caps)
        actual = replace(actual, balance=actual.right - case.advances_paid)
    return FundingResult(bareme=case.bareme, forecast=forecast, actual=actual)


# --- French explanations -------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _explain(
    case,
    declaration,
    price,
    retained_per_collective,
    numerator,
    denominator,
    ps,
    concerned,
    bonus_children,
    bonus_parents,
    right,
) -> tuple[str, ...]:
    bareme = case.bareme
    n = declaration.collectives
    accounts = (
        "classe 6 + 860 + 861"
        if case.carrier_kind in KINDS_COUNTING_CONTRIBUTIONS
        else ("classe 6")
    )
    lines = [
        f"Prix de revient ({accounts}) : {format_euros(price)}.",
        f"Coût par collectif : {format_euros(price)} ÷ {_plural(n, 'collectif')} = "
        f"{format_euros(price / n)}.",
        f"Coût retenu par collectif : min({format_euros(price / n)} ; "
        f"prix plafond {bareme.year} {format_euros(bareme.ceiling)}) = "
        f"{format_euros(retained_per_collective)}.",
    ]
    ps_formula = (
        f"{format_rate(bareme.rate)} × min({format_euros(price / n)} ; "
        f"{format_euros(bareme.ceiling)}) × {_plural(n, 'collectif')}"
    )
    if numerator != denominator:
        lines.append(
            f"Semaines d'activité : {declaration.weeks}, sous le minimum de {denominator} : "
            f"la PS est réduite au prorata ({declaration.weeks}/{denominator})."
        )
        ps_formula += f" × {declaration.weeks}/{denominator}"
    lines.append(f"PS Clas : {ps_formula} = {format_euros(ps)}.")
    for key, label, unit, amount, granted in (
        (
            "bonus_children_collectives",
            "Bonus enfants",
            bareme.bonus_children,
            bonus_children,
            case.bonus_children_granted,
        ),
        (
            "bonus_parents_collectives",
            "Bonus parents",
            bareme.bonus_parents,
            bonus_parents,
            case.bonus_parents_granted,
        ),
    ):
        if not granted:
            if getattr(declaration, key):
                lines.append(f"{label} : non accordé par la Caf, 0,00\u00a0€.")
            continue
        count = concerned[key]
        lines.append(
            f"{label} : {format_euros(unit)} × {_plural(count, 'collectif')} = "
            f"{format_euros(amount)}."
        )
    lines.append(f"Droit : {format_euros(right)}.")
    return tuple(lines)
