"""One path into the engine: every builder of a funding case goes through funding.inputs, and a
stored decision computed again from its stored case gives the stored figures."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F

from declarations.models import Declaration, DeclarationLine
from declarations.services import funding_case
from funding import engine
from funding.forms import SimulatorForm
from funding.models import Bareme, FundingComputation
from funding.recompute import recompute, recompute_campaign
from funding.services import compute_from_data, store_computation
from projects.completeness import request_case
from projects.models import BudgetLine

pytestmark = pytest.mark.django_db

# An association's charges: 860 and its sub-account 8601 count (SPEC §4.2), 862 never does.
CHARGES = {
    "64": Decimal("5000"),
    "860": Decimal("1000"),
    "8601": Decimal("500"),
    "862": Decimal("700"),
}
# 32.5 % × (5 000 + 1 000 + 500), under the 2026 ceiling of 8 652 € for one collective.
PS_ASSOCIATION = Decimal("2112.50")
PS_CLASS_6_ONLY = Decimal("1625.00")  # what a builder keeping only class 6 gave


def engine_ps(carrier_kind, charges):
    case = engine.FundingCase(
        bareme=Bareme.objects.get(year=2026).to_engine(),
        carrier_kind=carrier_kind,
        collectives_agreed=1,
        forecast=engine.Declaration(
            collectives=1,
            weeks=30,
            charges={account: Decimal(amount) for account, amount in charges.items()},
        ),
    )
    return engine.compute(case).forecast.ps


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--reset", verbosity=0)


@pytest.fixture
def association_with_contributions(loire):
    """The Loire project (an association, one collective of 30 weeks) with 860 and 8601."""
    project = loire.project
    for account, amount in CHARGES.items():
        BudgetLine.objects.create(project=project, account=account, amount=amount)
    BudgetLine.objects.create(project=project, account="74", financer="caf", amount=3000)
    return project


def test_recompute_gives_every_stored_decision_of_the_demo(demo):
    decisions = FundingComputation.objects.filter(is_decision=True)
    report = recompute()
    assert report.checked == decisions.count() >= 20
    assert report.differences == []
    assert all(c.difference == 0 for c in report.computations)
    assert report.recomputed_total == report.stored_total > 0
    campaign = recompute_campaign(year=2025)
    assert 0 < campaign.checked <= report.checked
    assert campaign.differences == []


def test_the_engine_counts_860_and_its_sub_accounts_for_an_association(db):
    assert engine_ps("association", CHARGES) == PS_ASSOCIATION
    assert engine_ps("collectivite", CHARGES) == PS_CLASS_6_ONLY


def test_request_case_gives_the_engine_amount_with_860_and_8601(association_with_contributions):
    case = request_case(
        association_with_contributions, collectives=1, bonus_children=False, bonus_parents=False
    )
    assert set(case["forecast"]["charges"]) == {"64", "860", "8601", "862"}  # no product line
    assert compute_from_data(case)[1].forecast.ps == engine_ps("association", CHARGES)


def test_funding_case_gives_the_engine_amount_with_860_and_8601(association_with_contributions):
    project = association_with_contributions
    project.agreed_collectives = 1
    project.save()
    for kind in ("forecast", "actual"):
        declaration = Declaration.objects.create(
            project=project, kind=kind, collectives=1, weeks=30, children=[10]
        )
        for account, amount in CHARGES.items():
            DeclarationLine.objects.create(declaration=declaration, account=account, amount=amount)
        DeclarationLine.objects.create(
            declaration=declaration, account="74", financer="caf", amount=3000
        )
    _case, result = compute_from_data(funding_case(declaration))
    assert result.forecast.ps == result.actual.ps == engine_ps("association", CHARGES)
    assert result.actual.balance == PS_ASSOCIATION  # no advance paid


def test_simulator_gives_the_engine_amount_with_860_and_861(loire):
    charges = {"64": "5000", "860": "1000", "861": "500", "862": "700"}
    for kind in ("association", "collectivite"):
        form = SimulatorForm(
            {
                "bareme_year": "2026",
                "carrier_kind": kind,
                "collectives": "1",
                "weeks": "30",
                "min_weeks": "27",
                **{f"charge_{account}": amount for account, amount in charges.items()},
            }
        )
        assert form.is_valid(), form.errors
        ps = compute_from_data(form.to_case())[1].forecast.ps
        assert ps == engine_ps(kind, charges)
    assert engine_ps("association", charges) == PS_ASSOCIATION


def test_recompute_keeps_the_contributions_a_decision_counted(association_with_contributions):
    project = association_with_contributions
    case = request_case(project, collectives=1, bonus_children=False, bonus_parents=False)
    stored = store_computation(data=case, kind="forecast", project=project, is_decision=True)
    assert stored.right == PS_ASSOCIATION
    [row] = recompute(FundingComputation.objects.filter(pk=stored.pk)).computations
    assert (row.stored, row.recomputed, row.difference) == (PS_ASSOCIATION, PS_ASSOCIATION, 0)
    assert not row.differs


def test_a_tampered_stored_result_is_reported(association_with_contributions):
    project = association_with_contributions
    case = request_case(project, collectives=1, bonus_children=False, bonus_parents=False)
    stored = store_computation(data=case, kind="forecast", project=project, is_decision=True)
    only_this = FundingComputation.objects.filter(pk=stored.pk)

    result = stored.result
    result["forecast"]["ps"] = "2113.50"
    only_this.update(result=result)
    [row] = recompute(only_this).differences
    assert row.changed == {"forecast.ps": (Decimal("2113.50"), PS_ASSOCIATION)}
    assert row.difference == 0  # the right column itself was left alone

    only_this.update(right=F("right") + Decimal("0.01"))
    [row] = recompute(only_this).differences
    assert row.changed["right"] == (Decimal("2112.51"), PS_ASSOCIATION)
    assert row.difference == Decimal("-0.01")

    inputs = dict(case, carrier_kind="syndicat")
    only_this.update(inputs=inputs)
    [row] = recompute(only_this).differences
    assert row.recomputed is None and row.difference is None
    assert [e["code"] for e in row.errors] == ["unknown_carrier_kind"]
