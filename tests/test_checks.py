"""Coherence checks: the shared reference cases, then every code of CHECKS.md on its own."""

import io
import json
import sys

import pytest
from django.core.management import call_command

from .test_funding_reference import SHARED

pytestmark = pytest.mark.django_db

CASES = sorted((SHARED / "declarations" / "cases").glob("*.json"))
SEVERITY = {
    "weeks_below_minimum": "warning",
    "weeks_above_maximum": "error",
    "weeks_split_mismatch": "error",
    "collectives_above_agreed": "error",
    "children_count_mismatch": "error",
    "children_out_of_range": "warning",
    "bonus_not_granted": "error",
    "bonus_above_collectives": "error",
    "bonus_not_in_forecast": "error",
    "charges_variation": "warning",
    "budget_imbalance": "warning",
}


def run(case):
    out = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(json.dumps(case))
    try:
        call_command("clas_checks", "-", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdin = stdin
    return code, json.loads(out.getvalue())


def pairs(findings):
    return {(f["code"], f["field"]) for f in findings}


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_reference_cases(case_path):
    expected = json.loads((case_path.parent.parent / "expected" / case_path.name).read_text())
    out = io.StringIO()
    call_command("clas_checks", str(case_path), stdout=out)
    output = json.loads(out.getvalue())
    assert set(output) == set(expected)
    for name, findings in expected.items():
        assert pairs(output[name]) == pairs(findings)
        for finding in output[name]:
            assert finding["severity"] == SEVERITY[finding["code"]]
            assert finding["message"]


def clean_case(**forecast_overrides):
    forecast = {
        "collectives": 2,
        "weeks": 30,
        "weeks_sept_dec": 12,
        "weeks_jan_aug": 18,
        "children": [10, 10],
        "charges": {"64": "10000"},
        "products": {"74": "10000"},
    }
    forecast.update(forecast_overrides)
    return {
        "bareme_year": 2026,
        "carrier_kind": "association",
        "collectives_agreed": 2,
        "bonus_children_granted": True,
        "forecast": forecast,
    }


def test_a_clean_declaration_has_no_finding():
    assert run(clean_case()) == (0, {"forecast": []})


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (
            {"weeks": 26, "weeks_sept_dec": 10, "weeks_jan_aug": 16},
            ("weeks_below_minimum", "weeks"),
        ),
        (
            {"weeks": 54, "weeks_sept_dec": 20, "weeks_jan_aug": 34},
            ("weeks_above_maximum", "weeks"),
        ),
        ({"weeks_jan_aug": 17}, ("weeks_split_mismatch", "weeks")),
        ({"collectives": 3, "children": [10, 10, 10]}, ("collectives_above_agreed", "collectives")),
        ({"children": [10]}, ("children_count_mismatch", "children")),
        ({"children": [10, 13]}, ("children_out_of_range", "children")),
        ({"children": [7, 10]}, ("children_out_of_range", "children")),
        ({"bonus_parents_collectives": 1}, ("bonus_not_granted", "bonus_parents_collectives")),
        (
            {"bonus_children_collectives": 3},
            ("bonus_above_collectives", "bonus_children_collectives"),
        ),
        ({"products": {"74": "9000"}}, ("budget_imbalance", "products")),
    ],
)
def test_each_forecast_check(overrides, expected):
    code, output = run(clean_case(**overrides))
    assert code == 0
    assert pairs(output["forecast"]) == {expected}
    assert output["forecast"][0]["severity"] == SEVERITY[expected[0]]


def test_weeks_split_is_checked_only_when_both_parts_are_given():
    case = clean_case(weeks_jan_aug=None)
    del case["forecast"]["weeks_jan_aug"]
    assert run(case)[1] == {"forecast": []}


def test_rural_lowers_the_minimum_to_five_children():
    case = clean_case(children=[5, 6])
    assert pairs(run(case)[1]["forecast"]) == {("children_out_of_range", "children")}
    case["rural"] = True
    assert run(case)[1] == {"forecast": []}


def test_budget_threshold_and_86_87_accounts_follow_the_policy():
    # charges 10 000 + 864 500 = 10 500; products 74 10 000 + 870 500 = 10 500: balanced
    case = clean_case(charges={"64": "10000", "864": "500"}, products={"74": "10000", "870": "500"})
    assert run(case)[1] == {"forecast": []}
    case = clean_case(products={"74": "9950"})  # 0.5 % gap: under the 1 % default
    assert run(case)[1] == {"forecast": []}
    case["policy"] = {"budget_imbalance": "0.001"}
    assert pairs(run(case)[1]["forecast"]) == {("budget_imbalance", "products")}


def actual_case(**actual_overrides):
    case = clean_case(bonus_children_collectives=1)
    actual = dict(case["forecast"])
    actual.update(actual_overrides)
    case["actual"] = actual
    return case


def test_actual_checks():
    code, output = run(actual_case(bonus_children_collectives=2))
    assert pairs(output["actual"]) == {("bonus_not_in_forecast", "bonus_children_collectives")}
    # 15 % of 10 000 = 1 500: 11 500 is within, 11 501 is not
    assert run(actual_case(charges={"64": "11500"}, products={"74": "11500"}))[1]["actual"] == []
    output = run(actual_case(charges={"64": "11501"}, products={"74": "11501"}))[1]
    assert pairs(output["actual"]) == {("charges_variation", "charges")}
    case = actual_case(charges={"64": "11600"}, products={"74": "11600"})
    case["policy"] = {"charges_variation": "0.20"}
    assert run(case)[1]["actual"] == []


def test_two_bonus_keys_give_two_findings_of_the_same_code():
    case = clean_case(bonus_children_collectives=1, bonus_parents_collectives=1)
    case["bonus_children_granted"] = False
    assert pairs(run(case)[1]["forecast"]) == {
        ("bonus_not_granted", "bonus_children_collectives"),
        ("bonus_not_granted", "bonus_parents_collectives"),
    }


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.update(bareme_year=1990),
        lambda c: c.update(carrier_kind="inconnu"),
        lambda c: c["forecast"]["charges"].update({"64": "-1"}),
        lambda c: c["forecast"]["products"].update({"74": "beaucoup"}),
        lambda c: c["forecast"].update(children="dix"),
    ],
)
def test_malformed_cases_exit_2(mutate):
    case = clean_case()
    mutate(case)
    code, output = run(case)
    assert code == 2 and output["errors"]


def test_bad_json_exits_2():
    out = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO("{")
    try:
        with pytest.raises(SystemExit) as exc:
            call_command("clas_checks", "-", stdout=out)
    finally:
        sys.stdin = stdin
    assert exc.value.code == 2
