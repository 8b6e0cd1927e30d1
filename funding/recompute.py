"""Run stored decisions again: does every frozen right still come out of the engine the same?

Each FundingComputation keeps the case it was computed from and its result. Recompute feeds the
stored case to `compute_from_data`, the one path into the engine, and compares every amount of
the result with the stored one. No inputs are rebuilt from projects here: what a decision used
is what it stored. Used to check a batch after a barème or engine change, and by the benchmark.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from .cases import CaseError, result_to_json
from .models import Bareme, FundingComputation
from .services import compute_from_data

ZERO = Decimal("0")
AMOUNTS = (
    "cost_price",
    "ps",
    "bonus_children",
    "bonus_parents",
    "right",
    "advances_max",
    "balance",
)


@dataclass(frozen=True)
class Recomputed:
    """One stored computation against the engine today."""

    computation_id: int
    project_id: int | None
    kind: str
    stored: Decimal  # the right stored with the computation
    recomputed: Decimal | None  # None when the stored case no longer computes
    # Each amount of the result that differs: "forecast.ps" → (stored, recomputed).
    changed: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    errors: tuple[dict, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        return None if self.recomputed is None else self.recomputed - self.stored

    @property
    def differs(self) -> bool:
        return bool(self.changed or self.errors)


@dataclass
class Report:
    computations: list[Recomputed]

    @property
    def checked(self) -> int:
        return len(self.computations)

    @property
    def differences(self) -> list[Recomputed]:
        return [c for c in self.computations if c.differs]

    @property
    def stored_total(self) -> Decimal:
        return sum((c.stored for c in self.computations), ZERO)

    @property
    def recomputed_total(self) -> Decimal:
        return sum((c.recomputed for c in self.computations if c.recomputed is not None), ZERO)


def recompute(computations=None) -> Report:
    """Every decision computation (or those given) run again through the engine."""
    if computations is None:
        computations = FundingComputation.objects.filter(is_decision=True)
    rows = computations.order_by("pk").values_list(
        "pk", "project_id", "kind", "inputs", "result", "right"
    )
    baremes = cache(Bareme.objects.engine_for_year)
    return Report([_recompute_one(*row, baremes=baremes) for row in rows.iterator(chunk_size=2000)])


def recompute_campaign(*, year, caf=None) -> Report:
    """The decisions of one campaign year, all Caf or one."""
    computations = FundingComputation.objects.filter(is_decision=True, project__campaign__year=year)
    if caf is not None:
        computations = computations.filter(project__campaign__in=caf.campaigns.all())
    return recompute(computations)


def _recompute_one(pk, project_id, kind, inputs, stored_result, stored_right, *, baremes):
    try:
        _case, result = compute_from_data(inputs, baremes=baremes)
    except CaseError as exc:
        return Recomputed(pk, project_id, kind, stored_right, None, errors=tuple(exc.errors))
    declaration = result.actual if result.actual is not None else result.forecast
    changed = {}
    if declaration.right != stored_right:
        changed["right"] = (stored_right, declaration.right)
    fresh = result_to_json(result)
    for part in ("forecast", "actual"):
        stored_part = (stored_result or {}).get(part) or {}
        fresh_part = fresh.get(part) or {}
        for key in AMOUNTS:
            before, after = _amount(stored_part.get(key)), _amount(fresh_part.get(key))
            if before != after:
                changed[f"{part}.{key}"] = (before, after)
    return Recomputed(pk, project_id, kind, stored_right, declaration.right, changed)


def _amount(value):
    """A stored amount as Decimal; what is no amount at all is kept as it is, so it differs."""
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value
