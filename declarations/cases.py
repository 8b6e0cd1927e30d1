"""Reading a coherence-check case (shared/declarations/CHECKS.md) into CheckContexts."""

from decimal import Decimal
from typing import Any

from funding.cases import CaseError, ErrorCollector, parse_amount, parse_case
from funding.checks import CheckContext, DeclarationData, Policy


def _optional_int(data, key, field, errors):
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.add(field, "invalid_integer", f"« {field} » doit être un nombre entier positif.")
        return None
    return value


def _children(data, name, errors):
    value = data.get("children")
    if value is None:
        return None
    if not isinstance(value, list) or any(
        isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in value
    ):
        errors.add(
            f"{name}.children",
            "invalid_children",
            "Les effectifs sont une liste de nombres entiers positifs, un par collectif.",
        )
        return None
    return tuple(value)


def _accounts(data, name, errors):
    value = data.get("products")
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(
            f"{name}.products", "invalid_products", "Les produits sont un objet compte → montant."
        )
        return None
    products = {}
    for account, raw in value.items():
        field = f"{name}.products.{account}"
        if not (isinstance(account, str) and account.isascii() and account.isdigit()):
            errors.add(field, "invalid_account", f"« {account} » n'est pas un numéro de compte.")
            continue
        amount = parse_amount(raw, field, errors)
        if amount is not None:
            products[account] = amount
    return products


def _policy(data, min_weeks, errors):
    raw = data.get("policy") or {}
    if not isinstance(raw, dict):
        errors.add("policy", "invalid_policy", "« policy » doit être un objet.")
        return Policy(min_weeks=min_weeks)
    values = {}
    for key, default in (("charges_variation", "0.15"), ("budget_imbalance", "0.01")):
        if raw.get(key) is None:
            values[key] = Decimal(default)
            continue
        amount = parse_amount(raw[key], f"policy.{key}", errors, cents=False)
        values[key] = amount if amount is not None else Decimal(default)
    return Policy(min_weeks=min_weeks, **values)


def parse_check_case(data: Any, bareme_for_year) -> dict[str, CheckContext]:
    """Contexts keyed by declaration ("forecast", and "actual" when present)."""
    # Weeks above 53 and collectives above the agreed number are findings here, not input errors.
    case = parse_case(data, bareme_for_year, weeks_limit=False, enforce_agreed=False)
    errors = ErrorCollector()
    if not isinstance(data.get("rural", False), bool):
        errors.add("rural", "invalid_boolean", "« rural » doit valoir true ou false.")
    policy = _policy(data, case.min_weeks, errors)
    declarations = {}
    for name in ("forecast", "actual"):
        raw = data.get(name)
        parsed = getattr(case, name)
        if raw is None or parsed is None:
            continue
        declarations[name] = DeclarationData(
            collectives=parsed.collectives,
            weeks=parsed.weeks,
            charges=parsed.charges,
            products=_accounts(raw, name, errors),
            children=_children(raw, name, errors),
            weeks_sept_dec=_optional_int(raw, "weeks_sept_dec", f"{name}.weeks_sept_dec", errors),
            weeks_jan_aug=_optional_int(raw, "weeks_jan_aug", f"{name}.weeks_jan_aug", errors),
            bonus_children_collectives=parsed.bonus_children_collectives,
            bonus_parents_collectives=parsed.bonus_parents_collectives,
        )
    if errors.errors:
        raise CaseError(errors.errors)
    common = {
        "collectives_agreed": case.collectives_agreed,
        "policy": policy,
        "rural": bool(data.get("rural", False)),
        "bonus_children_granted": case.bonus_children_granted,
        "bonus_parents_granted": case.bonus_parents_granted,
    }
    contexts = {"forecast": CheckContext("forecast", declarations["forecast"], **common)}
    if "actual" in declarations:
        contexts["actual"] = CheckContext(
            "actual", declarations["actual"], forecast=declarations["forecast"], **common
        )
    return contexts
