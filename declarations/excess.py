"""An actual right above the validated forecast right (issue 17): the GC sees the difference and
its causes (collectives, weeks, costs, bonuses, barème) and confirms it explicitly before
validating, beyond the tolerance the Caf sets in its policy (CafPolicy.actual_excess_tolerance,
0 by default: any excess needs confirmation)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from clasportal.formatting import format_euros, format_rate

from .consequences import retained

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Excess:
    forecast_right: Decimal
    actual_right: Decimal
    tolerance: Decimal
    allowed: Decimal
    causes: tuple[str, ...]

    @property
    def difference(self):
        return self.actual_right - self.forecast_right

    @property
    def needs_confirmation(self):
        return self.actual_right > self.allowed

    @property
    def summary(self):
        return (
            f"Le droit réel ({format_euros(self.actual_right)}) dépasse le droit prévisionnel "
            f"validé ({format_euros(self.forecast_right)}) de {format_euros(self.difference)}."
        )

    @property
    def refusal_message(self):
        return (
            f"{self.summary} Cochez la confirmation du dépassement, après en avoir vérifié les "
            "causes, pour valider."
        )


def _money(block, key):
    return Decimal(str(block.get(key, "0")))


def _causes(forecast, actual, frozen, now):
    """Why the actual right is higher, in French: each figure that moved, forecast → actual."""
    causes = []
    before, after = retained(forecast), retained(actual)
    if after.collectives != before.collectives:
        causes.append(f"Collectifs : {before.collectives} → {after.collectives}.")
    if after.weeks != before.weeks:
        causes.append(f"Semaines d'activité : {before.weeks} → {after.weeks}.")
    old, new = frozen.get("forecast", {}), now.get("actual", {})
    for key, label in (
        ("cost_price", "Prix de revient"),
        ("retained_cost_per_collective", "Coût retenu par collectif"),
        ("bonus_children", "Bonus enfants"),
        ("bonus_parents", "Bonus parents"),
    ):
        if _money(old, key) != _money(new, key):
            causes.append(
                f"{label} : {format_euros(_money(old, key))} → {format_euros(_money(new, key))}."
            )
    bareme_then, bareme_now = frozen.get("bareme", {}), now.get("bareme", {})
    if bareme_then and bareme_then != bareme_now:
        causes.append(
            f"Barème : {bareme_then.get('year')} (plafond "
            f"{format_euros(_money(bareme_then, 'ceiling'))}) → {bareme_now.get('year')} "
            f"(plafond {format_euros(_money(bareme_now, 'ceiling'))})."
        )
    return tuple(causes)


def excess_of(declaration, result):
    """The excess of this actual declaration's right (the engine's `result`, contract JSON) over
    its validated forecast, or None when there is none."""
    from funding.models import CafPolicy

    from .services import forecast_of

    if not declaration.is_actual or "actual" not in result:
        return None
    forecast = forecast_of(declaration)
    if forecast is None or forecast.right is None:
        return None
    actual_right = _money(result["actual"], "right")
    if actual_right <= forecast.right:
        return None
    tolerance = CafPolicy.of(declaration.project.campaign.caf).actual_excess_tolerance
    allowed = (forecast.right * (1 + tolerance)).quantize(CENT, rounding=ROUND_HALF_UP)
    frozen = forecast.computation.result if forecast.computation_id else {}
    return Excess(
        forecast_right=forecast.right,
        actual_right=actual_right,
        tolerance=tolerance,
        allowed=allowed,
        causes=_causes(forecast, declaration, frozen, result),
    )


def tolerance_text(excess):
    if not excess.tolerance:
        return "Votre Caf ne fixe pas de tolérance : tout dépassement est confirmé expressément."
    return (
        f"Tolérance de votre Caf : {format_rate(excess.tolerance)}, soit jusqu'à "
        f"{format_euros(excess.allowed)} sans confirmation."
    )
