"""Coherence checks of a declaration (SPEC §6, shared/declarations/CHECKS.md).

One registry of small pure functions: each takes a CheckContext and yields Findings with their
code, severity, field and a French message the carrier can act on. Errors block submission;
warnings need a justification that the GC accepts or rejects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import pluralize

from .cases import MAX_WEEKS
from .engine import BONUS_KEYS, format_euros, format_rate, to_cent

ERROR = "error"
WARNING = "warning"

BONUS_LABELS = {
    "bonus_children_collectives": "bonus « enfants »",
    "bonus_parents_collectives": "bonus « parents »",
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class DeclarationData:
    collectives: int
    weeks: int
    charges: Mapping[str, Decimal]
    products: Mapping[str, Decimal] | None = None
    children: tuple[int, ...] | None = None
    weeks_sept_dec: int | None = None
    weeks_jan_aug: int | None = None
    bonus_children_collectives: int = 0
    bonus_parents_collectives: int = 0


@dataclass(frozen=True)
class Policy:
    """The Caf's local rules (funding.models.CafPolicy); the defaults are the national
    referential's: 8 to 12 children per collective, at least 5 in a rural area (SPEC §3)."""

    min_weeks: int = 27
    charges_variation: Decimal = Decimal("0.15")
    budget_imbalance: Decimal = Decimal("0.01")
    min_children: int = 8
    min_children_rural: int = 5
    max_children: int = 12
    # Sessions per week and minutes per session, in town and in a rural collective (referential:
    # 2 × 90 min, rural 1 × 120 min).
    sessions_per_week: int = 2
    session_minutes: int = 90
    sessions_per_week_rural: int = 1
    session_minutes_rural: int = 120
    # Two intervenants per collective (one in a small rural one): blocking, or advisory.
    staff_ratio_blocking: bool = True
    # Products other than the Caf's PS, as a share of the charges (0: no rule).
    min_cofinancing_share: Decimal = Decimal("0")
    one_level_per_request: bool = False

    def children_range(self, rural):
        return (self.min_children_rural if rural else self.min_children), self.max_children

    def sessions_rule(self, rural):
        """(sessions per week, minutes per session) a collective needs at least."""
        if rural:
            return self.sessions_per_week_rural, self.session_minutes_rural
        return self.sessions_per_week, self.session_minutes

    def sessions_enough(self, sessions, minutes, rural):
        """Enough sessions of enough minutes; a rural collective may also follow the town rule."""
        rules = {self.sessions_rule(False), self.sessions_rule(rural)}
        return any(sessions >= count and minutes >= length for count, length in rules)


@dataclass(frozen=True)
class CheckContext:
    kind: str  # "forecast" or "actual"
    declaration: DeclarationData
    collectives_agreed: int
    policy: Policy = Policy()
    rural: bool = False
    # One flag per collective, in the order of `declaration.children` (the portal knows each
    # collective's commune); absent (the CLI contract), every collective follows `rural`.
    collectives_rural: tuple[bool, ...] | None = None
    bonus_children_granted: bool = False
    bonus_parents_granted: bool = False
    forecast: DeclarationData | None = None  # the forecast, when checking the actual one

    def granted(self, key: str) -> bool:
        return {
            "bonus_children_collectives": self.bonus_children_granted,
            "bonus_parents_collectives": self.bonus_parents_granted,
        }[key]


Check = Callable[[CheckContext], Iterator[Finding]]
REGISTRY: list[tuple[str, frozenset[str], Check]] = []


def check(name: str, *, kinds=("forecast", "actual")):
    def register(function: Check) -> Check:
        REGISTRY.append((name, frozenset(kinds), function))
        return function

    return register


def run_checks(context: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for _name, kinds, function in REGISTRY:
        if context.kind in kinds:
            findings.extend(function(context))
    return findings


def _sum(accounts: Mapping[str, Decimal], *prefixes: str) -> Decimal:
    return sum(
        (amount for account, amount in accounts.items() if account.startswith(prefixes)),
        Decimal("0"),
    )


@check("weeks")
def weeks_within_range(ctx: CheckContext):
    weeks = ctx.declaration.weeks
    if weeks > MAX_WEEKS:
        yield Finding(
            "weeks_above_maximum",
            ERROR,
            "weeks",
            f"{weeks} semaines déclarées : une année scolaire compte au plus {MAX_WEEKS} semaines.",
        )
    elif weeks < ctx.policy.min_weeks:
        yield Finding(
            "weeks_below_minimum",
            WARNING,
            "weeks",
            f"{weeks} semaines d'activité, sous le minimum de {ctx.policy.min_weeks} fixé par "
            f"votre Caf : la PS sera réduite au prorata ({weeks}/{ctx.policy.min_weeks}). "
            "Expliquez pourquoi l'activité a été plus courte.",
        )


@check("weeks_split")
def weeks_split_adds_up(ctx: CheckContext):
    d = ctx.declaration
    if d.weeks_sept_dec is None or d.weeks_jan_aug is None:
        return
    if d.weeks_sept_dec + d.weeks_jan_aug != d.weeks:
        yield Finding(
            "weeks_split_mismatch",
            ERROR,
            "weeks",
            f"Les semaines de septembre à décembre ({d.weeks_sept_dec}) et de janvier à août "
            f"({d.weeks_jan_aug}) font {d.weeks_sept_dec + d.weeks_jan_aug}, pas le total "
            f"déclaré de {d.weeks} : corrigez l'un des trois nombres.",
        )


@check("collectives")
def collectives_within_agreed(ctx: CheckContext):
    if ctx.declaration.collectives > ctx.collectives_agreed:
        yield Finding(
            "collectives_above_agreed",
            ERROR,
            "collectives",
            f"{ctx.declaration.collectives} collectifs déclarés pour {ctx.collectives_agreed} "
            "agréés par le comité : on ne peut pas en déclarer davantage.",
        )


@check("children")
def children_per_collective(ctx: CheckContext):
    children = ctx.declaration.children
    if children is None:
        return
    if len(children) != ctx.declaration.collectives:
        yield Finding(
            "children_count_mismatch",
            ERROR,
            "children",
            f"Vous avez saisi les effectifs de {len(children)} collectif{pluralize(len(children))} pour "
            f"{ctx.declaration.collectives} déclaré{pluralize(ctx.declaration.collectives)} : donnez un effectif par collectif.",
        )
    if ctx.collectives_rural is not None:
        yield from _children_per_rural_collective(ctx, children)
        return
    minimum, maximum = ctx.policy.children_range(ctx.rural)
    outside = [
        (number, count)
        for number, count in enumerate(children, start=1)
        if count < minimum or count > maximum
    ]
    if outside:
        detail = ", ".join(f"collectif {n} : {c} enfants" for n, c in outside)
        yield Finding(
            "children_out_of_range",
            WARNING,
            "children",
            f"Le référentiel prévoit de {minimum} à {maximum} enfants par collectif"
            f"{' en milieu rural' if ctx.rural else ''} ({detail}). "
            "Hors de cette fourchette, justifiez l'effectif.",
        )


def _children_per_rural_collective(ctx: CheckContext, children):
    """Each collective against its own range: one rural collective lowers only its minimum."""
    flags = ctx.collectives_rural
    outside = []
    for index, count in enumerate(children):
        rural = flags[index] if index < len(flags) else ctx.rural
        minimum, maximum = ctx.policy.children_range(rural)
        if count < minimum or count > maximum:
            where = f"{minimum} à {maximum}{' en milieu rural' if rural else ''}"
            outside.append(f"collectif {index + 1} : {count} enfants pour {where}")
    if outside:
        yield Finding(
            "children_out_of_range",
            WARNING,
            "children",
            f"Effectif hors de la fourchette fixée par votre Caf ({', '.join(outside)}). "
            "Hors de cette fourchette, justifiez l'effectif.",
        )


@check("bonuses")
def bonuses_granted_and_within_collectives(ctx: CheckContext):
    d = ctx.declaration
    for key in BONUS_KEYS:
        count = getattr(d, key)
        label = BONUS_LABELS[key]
        if count > 0 and not ctx.granted(key):
            yield Finding(
                "bonus_not_granted",
                ERROR,
                key,
                f"Le {label} n'a pas été accordé par la Caf pour ce projet : il ne peut pas être "
                "déclaré. Adressez d'abord une demande de bonus à votre conseiller.",
            )
        if count > d.collectives:
            yield Finding(
                "bonus_above_collectives",
                ERROR,
                key,
                f"{count} collectifs déclarés pour le {label}, mais le projet n'en compte que "
                f"{d.collectives}.",
            )


@check("bonuses_in_forecast", kinds=("actual",))
def bonuses_declared_in_forecast(ctx: CheckContext):
    if ctx.forecast is None:
        return
    for key in BONUS_KEYS:
        actual, forecast = getattr(ctx.declaration, key), getattr(ctx.forecast, key)
        if actual > forecast:
            yield Finding(
                "bonus_not_in_forecast",
                ERROR,
                key,
                f"{actual} collectifs déclarés pour le {BONUS_LABELS[key]} au réel, contre "
                f"{forecast} au prévisionnel : un bonus ne peut porter que sur les collectifs "
                "déclarés au prévisionnel.",
            )


@check("charges_variation", kinds=("actual",))
def charges_close_to_forecast(ctx: CheckContext):
    if ctx.forecast is None:
        return
    forecast_total = _sum(ctx.forecast.charges, "6")
    actual_total = _sum(ctx.declaration.charges, "6")
    gap = abs(actual_total - forecast_total)
    if gap > ctx.policy.charges_variation * forecast_total:
        yield Finding(
            "charges_variation",
            WARNING,
            "charges",
            f"Les charges réelles ({format_euros(actual_total)}) s'écartent de "
            f"{format_euros(gap)} des charges prévues ({format_euros(forecast_total)}), "
            f"au-delà de {format_rate(ctx.policy.charges_variation)} : expliquez cet écart.",
        )


@check("budget_balance")
def budget_balanced(ctx: CheckContext):
    d = ctx.declaration
    if d.products is None:
        return
    charges = _sum(d.charges, "6", "86")
    products = _sum(d.products, "7", "87")
    gap = abs(charges - products)
    if gap > ctx.policy.budget_imbalance * charges:
        yield Finding(
            "budget_imbalance",
            WARNING,
            "products",
            f"Le budget n'est pas équilibré : {format_euros(charges)} de charges pour "
            f"{format_euros(products)} de produits (écart {format_euros(gap)}, au-delà de "
            f"{format_rate(ctx.policy.budget_imbalance)}). Complétez les financements ou "
            "justifiez l'écart.",
        )


def cofinancing_shortfall(policy: Policy, charges: Decimal, others: Decimal) -> str | None:
    """The Caf's minimum share of co-financing: the products other than its PS (`others`)
    against the budget's charges. None when there is no rule, no charges yet, or enough."""
    share = policy.min_cofinancing_share
    if not share or charges <= 0 or others >= share * charges:
        return None
    actual = (others / charges * 100).quantize(Decimal("0.1"))
    return (
        f"Votre Caf demande au moins {format_rate(share)} de cofinancements hors Caf : "
        f"{format_euros(to_cent(others))} sur {format_euros(to_cent(charges))} de charges, "
        f"soit {f'{actual:f}'.replace('.', ',')}\u00a0%."
    )
