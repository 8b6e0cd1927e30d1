"""Reading a funding case (shared/funding/CONTRACT.md) into engine dataclasses.

Pure like the engine: the barème is looked up through a function the caller gives. Every problem
becomes an error {field, code, message} with a French message a carrier can act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .engine import CARRIER_KINDS, ZERO, Bareme, Declaration, FundingCase

MAX_WEEKS = 53
MAX_COLLECTIVES = 999
MAX_AMOUNT = Decimal("1e12")


@dataclass
class CaseError(Exception):
    errors: list[dict] = field(default_factory=list)


class ErrorCollector:
    def __init__(self):
        self.errors: list[dict] = []

    def add(self, field_name: str, code: str, message: str) -> None:
        self.errors.append({"field": field_name, "code": code, "message": message})


def _no_constant(name):
    raise ValueError(f"{name} n'est pas un nombre JSON")


def load_json(text: str) -> Any:
    """JSON with every number read as Decimal, so no amount ever passes through a float."""
    try:
        return json.loads(text, parse_float=Decimal, parse_int=int, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise CaseError(
            [
                {
                    "field": "case",
                    "code": "invalid_json",
                    "message": f"Le cas n'est pas un JSON valide (ligne {getattr(exc, 'lineno', '?')}"
                    f", colonne {getattr(exc, 'colno', '?')}) : corrigez la syntaxe.",
                }
            ]
        ) from None


def parse_amount(
    value: Any, field_name: str, errors: ErrorCollector, *, cents: bool = True
) -> Decimal | None:
    """A non-negative decimal; with `cents`, at most two decimals (an amount in euros)."""
    if isinstance(value, bool) or value is None:
        errors.add(field_name, "invalid_amount", f"« {field_name} » doit être un montant en euros.")
        return None
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or text == "":
            errors.add(
                field_name,
                "invalid_amount",
                f"« {value} » n'est pas un montant : saisissez un nombre, par exemple 1200.50.",
            )
            return None
    else:
        errors.add(field_name, "invalid_amount", f"« {field_name} » doit être un montant en euros.")
        return None
    if not amount.is_finite():
        errors.add(field_name, "invalid_amount", "Le montant doit être un nombre fini.")
        return None
    if amount < 0:
        errors.add(field_name, "negative_amount", "Un montant ne peut pas être négatif.")
        return None
    if amount >= MAX_AMOUNT:
        errors.add(field_name, "amount_too_large", "Ce montant est trop élevé pour un projet Clas.")
        return None
    if cents and amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        errors.add(
            field_name, "too_many_decimals", "Un montant a au plus deux décimales (centimes)."
        )
        return None
    return amount


def _int(
    data: dict, key: str, field_name: str, errors: ErrorCollector, *, required: bool, default=None
) -> int | None:
    if key not in data or data[key] is None:
        if required:
            errors.add(field_name, "required", f"« {field_name} » est obligatoire.")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value != int(value):
        errors.add(field_name, "invalid_integer", f"« {field_name} » doit être un nombre entier.")
        return None
    return int(value)


def _bool(data: dict, key: str, errors: ErrorCollector) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.add(key, "invalid_boolean", f"« {key} » doit valoir true ou false.")
        return False
    return value


def parse_declaration(
    data: Any,
    name: str,
    errors: ErrorCollector,
    collectives_agreed: int | None,
    *,
    weeks_limit: bool = True,
    enforce_agreed: bool = True,
) -> Declaration | None:
    if not isinstance(data, dict):
        errors.add(name, "required", f"La déclaration « {name} » est obligatoire (un objet).")
        return None
    start = len(errors.errors)
    collectives = _int(data, "collectives", f"{name}.collectives", errors, required=True)
    if collectives is not None and collectives < 1:
        errors.add(
            f"{name}.collectives",
            "collectives_below_one",
            "Le nombre de collectifs doit être au moins 1.",
        )
    elif collectives is not None and collectives > MAX_COLLECTIVES:
        errors.add(
            f"{name}.collectives",
            "collectives_too_many",
            f"Un projet compte au plus {MAX_COLLECTIVES} collectifs.",
        )
    elif (
        collectives is not None
        and enforce_agreed
        and collectives_agreed is not None
        and (collectives > collectives_agreed)
    ):
        errors.add(
            f"{name}.collectives",
            "collectives_above_agreed",
            f"{collectives} collectifs déclarés pour {collectives_agreed} agréés par le comité : "
            "on ne peut pas déclarer plus de collectifs que le nombre agréé.",
        )
    weeks = _int(data, "weeks", f"{name}.weeks", errors, required=True)
    if weeks is not None and (weeks < 0 or (weeks_limit and weeks > MAX_WEEKS)):
        errors.add(
            f"{name}.weeks",
            "weeks_out_of_range",
            f"Le nombre de semaines doit être compris entre 0 et {MAX_WEEKS} (saisi : {weeks}).",
        )
    charges_data = data.get("charges", {})
    charges: dict[str, Decimal] = {}
    if not isinstance(charges_data, dict):
        errors.add(
            f"{name}.charges", "invalid_charges", "Les charges sont un objet compte → montant."
        )
    else:
        for account, raw in charges_data.items():
            field_name = f"{name}.charges.{account}"
            if not (
                isinstance(account, str)
                and account.isascii()
                and account.isdigit()
                and 1 <= len(account) <= 8
            ):
                errors.add(
                    field_name,
                    "invalid_account",
                    f"« {account} » n'est pas un numéro de compte (chiffres seulement, ex. 64).",
                )
                continue
            amount = parse_amount(raw, field_name, errors)
            if amount is not None:
                charges[account] = amount
    bonuses = {}
    for key in ("bonus_children_collectives", "bonus_parents_collectives"):
        count = _int(data, key, f"{name}.{key}", errors, required=False, default=0)
        if count is not None and count < 0:
            errors.add(
                f"{name}.{key}",
                "negative_count",
                "Le nombre de collectifs ne peut pas être négatif.",
            )
        bonuses[key] = count
    if len(errors.errors) > start:
        return None
    return Declaration(collectives=collectives, weeks=weeks, charges=charges, **bonuses)


def parse_case(
    data: Any,
    bareme_for_year: Callable[[int], Bareme | None],
    *,
    weeks_limit: bool = True,
    enforce_agreed: bool = True,
) -> FundingCase:
    """Build a FundingCase or raise CaseError with every problem found (not only the first)."""
    errors = ErrorCollector()
    if not isinstance(data, dict):
        raise CaseError(
            [
                {
                    "field": "case",
                    "code": "invalid_case",
                    "message": "Le cas doit être un objet JSON.",
                }
            ]
        )
    bareme = None
    year = _int(data, "bareme_year", "bareme_year", errors, required=True)
    if year is not None:
        bareme = bareme_for_year(year)
        if bareme is None:
            errors.add(
                "bareme_year",
                "unknown_bareme_year",
                f"Aucun barème national n'est enregistré pour l'année {year} : "
                "le calcul est impossible tant que la Cnaf ne l'a pas publié.",
            )
    kind = data.get("carrier_kind")
    if kind not in CARRIER_KINDS:
        errors.add(
            "carrier_kind",
            "unknown_carrier_kind",
            f"Statut de porteur inconnu « {kind} » : choisissez parmi {', '.join(CARRIER_KINDS)}.",
        )
    agreed = _int(data, "collectives_agreed", "collectives_agreed", errors, required=True)
    if agreed is not None and not 1 <= agreed <= MAX_COLLECTIVES:
        errors.add(
            "collectives_agreed",
            "collectives_below_one",
            f"Le nombre de collectifs agréés doit être compris entre 1 et {MAX_COLLECTIVES}.",
        )
        agreed = None
    min_weeks = _int(data, "min_weeks", "min_weeks", errors, required=False, default=27)
    if min_weeks is not None and not 1 <= min_weeks <= MAX_WEEKS:
        errors.add(
            "min_weeks",
            "weeks_out_of_range",
            f"Le minimum de semaines doit être compris entre 1 et {MAX_WEEKS}.",
        )
    children_granted = _bool(data, "bonus_children_granted", errors)
    parents_granted = _bool(data, "bonus_parents_granted", errors)
    limits = {"weeks_limit": weeks_limit, "enforce_agreed": enforce_agreed}
    forecast = parse_declaration(data.get("forecast"), "forecast", errors, agreed, **limits)
    actual = None
    if data.get("actual") is not None:
        actual = parse_declaration(data["actual"], "actual", errors, agreed, **limits)
    advances_paid = ZERO
    if data.get("advances_paid") is not None:
        advances_paid = parse_amount(data["advances_paid"], "advances_paid", errors)
    if errors.errors:
        raise CaseError(errors.errors)
    return FundingCase(
        bareme=bareme,
        carrier_kind=kind,
        collectives_agreed=agreed,
        min_weeks=min_weeks,
        bonus_children_granted=children_granted,
        bonus_parents_granted=parents_granted,
        forecast=forecast,
        actual=actual,
        advances_paid=advances_paid,
    )


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def result_to_json(result) -> dict:
    """The contract's output: amounts as strings with two decimals, plus explanations."""
    bareme = result.bareme
    out = {
        "bareme": {
            "year": bareme.year,
            "rate": f"{bareme.rate.normalize():f}",
            "ceiling": money(bareme.ceiling),
            "bonus_children": money(bareme.bonus_children),
            "bonus_parents": money(bareme.bonus_parents),
        },
        "forecast": _declaration_json(result.forecast),
    }
    out["forecast"]["advances_max"] = money(result.forecast.advances_max)
    if result.actual is not None:
        out["actual"] = _declaration_json(result.actual)
        out["actual"]["balance"] = money(result.actual.balance)
    return out


def _declaration_json(declaration) -> dict:
    return {
        "cost_price": money(declaration.cost_price),
        "cost_per_collective": money(declaration.cost_per_collective),
        "retained_cost_per_collective": money(declaration.retained_cost_per_collective),
        "weeks_factor": f"{declaration.weeks_factor:.6f}",
        "ps": money(declaration.ps),
        "bonus_children_collectives": declaration.bonus_children_collectives,
        "bonus_parents_collectives": declaration.bonus_parents_collectives,
        "bonus_children": money(declaration.bonus_children),
        "bonus_parents": money(declaration.bonus_parents),
        "right": money(declaration.right),
        "explanations": list(declaration.explanations),
    }
