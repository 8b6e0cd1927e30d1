"""What a rejected justification changes in the money (issue 17, SPEC §6).

The GC accepts a justification or rejects it with its effect: a collective excluded from the
right (Loire guide: a collective outside the Caf's children range is « hors critères… pas
éligible à la Ps Clas »), the weeks or a collective's children corrected, a bonus withdrawn.
`retained` applies every rejection of a declaration to its figures; the funding case of the
declaration (services.funding_case) is built from these retained figures, so the preview, the
validation and the carrier's explanation all come from the same engine computation.

An excluded collective takes its share of the charges with it: each charge line is prorated to
the remaining collectives (amount × remaining / declared, to the cent), the same rule as a
committee retaining fewer collectives than requested (funding.inputs.prorate_lines).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.template.defaultfilters import pluralize

from clasportal.formatting import format_euros
from funding.inputs import prorate_lines

NONE = ""
EXCLUDE_COLLECTIVE = "exclude_collective"
CORRECT_WEEKS = "correct_weeks"
CORRECT_CHILDREN = "correct_children"
WITHDRAW_BONUS = "withdraw_bonus"

EFFECTS = [
    (NONE, "Sans effet sur le droit"),
    (EXCLUDE_COLLECTIVE, "Collectif exclu du droit"),
    (CORRECT_WEEKS, "Semaines corrigées"),
    (CORRECT_CHILDREN, "Enfants d'un collectif corrigés"),
    (WITHDRAW_BONUS, "Bonus retiré"),
]
EFFECT_LABELS = dict(EFFECTS)

BONUSES = [
    ("bonus_children_collectives", "bonus « enfants »"),
    ("bonus_parents_collectives", "bonus « parents »"),
]
BONUS_LABELS = dict(BONUSES)

# The effect each finding naturally calls for, offered first to the GC.
NATURAL_EFFECT = {
    "children_out_of_range": EXCLUDE_COLLECTIVE,
    "weeks_below_minimum": CORRECT_WEEKS,
    "bonus_above_collectives": WITHDRAW_BONUS,
    "bonus_not_in_forecast": WITHDRAW_BONUS,
}


class EffectError(ValueError):
    """A rejection's effect that does not fit the declaration: (field, French message)."""

    def __init__(self, field_name, message):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Retained:
    """A declaration's figures once every rejection is applied, and what changed, in French."""

    collectives: int
    weeks: int
    children: tuple[int, ...]
    charges: dict
    bonus_children_collectives: int
    bonus_parents_collectives: int
    excluded: tuple[int, ...] = ()
    changes: tuple[str, ...] = field(default=())


def plural(count, word):
    return f"{count} {word}{pluralize(count)}"


def collective_numbers(raw):
    """« 2 » or « 2, 3 » → [2, 3]; a ValueError in French otherwise."""
    numbers = []
    for part in str(raw or "").replace(";", ",").split(","):
        part = part.strip().lstrip("n°").strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(f"« {part} » n'est pas un numéro de collectif.")
        numbers.append(int(part))
    return sorted(set(numbers))


def check_effect(declaration, *, effect, collectives=(), value=None, bonus=""):
    """Refuse an effect that does not fit the declaration, on the field it concerns."""
    count = declaration.collectives
    if effect not in EFFECT_LABELS:
        raise EffectError("effect", "Choisissez la conséquence du rejet.")
    if effect in (EXCLUDE_COLLECTIVE, CORRECT_CHILDREN):
        if not collectives:
            raise EffectError("collectives", "Indiquez le numéro du collectif concerné.")
        wrong = [n for n in collectives if not 1 <= n <= count]
        if wrong:
            raise EffectError(
                "collectives",
                f"La déclaration compte {plural(count, 'collectif')} : numérotez de 1 à {count}.",
            )
    if effect == EXCLUDE_COLLECTIVE and len(collectives) >= count:
        raise EffectError(
            "collectives",
            "Exclure tous les collectifs revient à refuser la déclaration : renvoyez-la plutôt "
            "au porteur pour correction.",
        )
    if effect == CORRECT_CHILDREN and len(collectives) != 1:
        raise EffectError("collectives", "Corrigez les enfants d'un collectif à la fois.")
    if effect in (CORRECT_WEEKS, CORRECT_CHILDREN) and value is None:
        raise EffectError(
            "value",
            "Indiquez le nombre de semaines retenu."
            if effect == CORRECT_WEEKS
            else "Indiquez le nombre d'enfants retenu.",
        )
    if effect == CORRECT_WEEKS and value > declaration.weeks:
        raise EffectError(
            "value",
            f"Le rejet ne peut que réduire les semaines : {declaration.weeks} sont déclarées.",
        )
    if effect == WITHDRAW_BONUS:
        if bonus not in BONUS_LABELS:
            raise EffectError("bonus", "Choisissez le bonus retiré.")
        if not getattr(declaration, bonus):
            raise EffectError("bonus", f"Ce {BONUS_LABELS[bonus]} n'est pas déclaré.")


def _charges(declaration):
    totals = {}
    for line in declaration.lines.all():
        if line.is_charge:
            totals[line.account] = totals.get(line.account, Decimal("0")) + line.amount
    return totals


def rejections(declaration):
    from .models import Justification

    return [
        j
        for j in declaration.justifications.all()
        if j.status == Justification.Status.REJECTED and j.effect
    ]


def retained(declaration, rejected=None):
    """The figures the right is computed on: the declared ones minus what the GC rejected."""
    rejected = rejections(declaration) if rejected is None else rejected
    declared = declaration.collectives
    children = [int(c) for c in (declaration.children or [])][:declared]
    weeks = declaration.weeks
    bonuses = {key: getattr(declaration, key) for key, _label in BONUSES}
    excluded, changes = set(), []
    for j in rejected:
        if j.effect == EXCLUDE_COLLECTIVE:
            excluded.update(n for n in j.effect_collectives if 1 <= n <= declared)
        elif j.effect == CORRECT_WEEKS and j.effect_value is not None:
            if j.effect_value < weeks:
                changes.append(
                    f"Semaines retenues : {j.effect_value} au lieu de {weeks} déclarées."
                )
                weeks = j.effect_value
        elif j.effect == CORRECT_CHILDREN and j.effect_collectives:
            number = j.effect_collectives[0]
            if 1 <= number <= len(children) and j.effect_value is not None:
                changes.append(
                    f"Collectif {number} : {j.effect_value} enfants retenus au lieu de "
                    f"{children[number - 1]} déclarés (sans effet sur le montant)."
                )
                children[number - 1] = j.effect_value
        elif j.effect == WITHDRAW_BONUS and j.effect_bonus in bonuses:
            if bonuses[j.effect_bonus]:
                changes.append(f"{BONUS_LABELS[j.effect_bonus].capitalize()} retiré.")
            bonuses[j.effect_bonus] = 0
    excluded = tuple(sorted(excluded))
    kept = max(declared - len(excluded), 1)
    charges = _charges(declaration)
    if excluded:
        detail = ", ".join(
            f"collectif {n}" + (f" ({children[n - 1]} enfants)" if n <= len(children) else "")
            for n in excluded
        )
        before = sum(charges.values(), Decimal("0"))
        charges = dict(prorate_lines(charges.items(), kept=kept, of=declared))
        after = sum(charges.values(), Decimal("0"))
        changes.insert(
            0,
            f"Exclu{pluralize(len(excluded))} du droit : {detail}. "
            f"{plural(kept, 'collectif')} retenu{pluralize(kept)} sur {declared} ; "
            f"charges retenues au prorata ({kept}/{declared}) : {format_euros(before)} → "
            f"{format_euros(after)}.",
        )
        children = [c for n, c in enumerate(children, start=1) if n not in excluded]
        bonuses = {key: min(count, kept) for key, count in bonuses.items()}
    return Retained(
        collectives=kept,
        weeks=weeks,
        children=tuple(children),
        charges=charges,
        bonus_children_collectives=bonuses["bonus_children_collectives"],
        bonus_parents_collectives=bonuses["bonus_parents_collectives"],
        excluded=excluded,
        changes=tuple(changes),
    )


def effect_text(justification):
    """The rejection's effect in one French phrase, for the GC, the carrier and the history."""
    effect = justification.effect
    numbers = ", ".join(str(n) for n in justification.effect_collectives or [])
    if effect == EXCLUDE_COLLECTIVE:
        many = len(justification.effect_collectives or []) > 1
        return f"collectif{'s' if many else ''} {numbers} exclu{'s' if many else ''} du droit"
    if effect == CORRECT_WEEKS:
        return f"semaines ramenées à {justification.effect_value}"
    if effect == CORRECT_CHILDREN:
        return f"collectif {numbers} : {justification.effect_value} enfants retenus"
    if effect == WITHDRAW_BONUS:
        return f"{BONUS_LABELS.get(justification.effect_bonus, 'bonus')} retiré"
    return "sans effet sur le droit"
