"""The Django side of the funding engine: load inputs, call the engine, store the result."""

import hashlib
import json

from django.db import transaction

from clasportal import cached

from . import engine
from .cases import CaseError, parse_case, result_to_json
from .models import Bareme, FundingComputation


def bareme_for_year(year: int):
    """The engine's barème of a year. Every year's barème (a few rows) is kept in the shared
    cache under one key, forgotten whenever a barème is saved or deleted (funding.apps)."""
    return cached.remember(BAREMES_KEY, _engine_baremes, BAREME_TIMEOUT).get(year)


def _engine_baremes():
    return {row.year: row.to_engine() for row in Bareme.objects.all()}


BAREMES_KEY = "clas:baremes"
BAREME_TIMEOUT = 3600


def forget_bareme(sender, **kwargs):
    cached.forget(BAREMES_KEY)


def compute_from_data(data, *, weeks_limit: bool = True, baremes=bareme_for_year):
    """Parse a contract case (a dict) and compute it; raises CaseError with French messages.

    `baremes` looks a year's barème up; a batch passes a cached one to save a query per case."""
    case = parse_case(data, baremes, weeks_limit=weeks_limit)
    return case, engine.compute(case)


def fingerprint(data) -> str:
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def store_computation(*, data, kind, project=None, by=None, is_decision=False):
    case, result = compute_from_data(data)
    output = result_to_json(result)
    declaration = result.actual if result.actual is not None else result.forecast
    return FundingComputation.objects.create(
        project=project,
        kind=kind,
        bareme=Bareme.objects.get(year=case.bareme.year),
        min_weeks=case.min_weeks,
        inputs=json.loads(json.dumps(data, default=str)),
        fingerprint=fingerprint(data),
        result=output,
        right=declaration.right,
        is_decision=is_decision,
        created_by=by,
    )


__all__ = ["CaseError", "bareme_for_year", "compute_from_data", "store_computation"]
