"""The funding CLI against the shared reference cases, and every error path of the contract."""

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

SHARED = Path(os.environ.get("CLAS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
CASES = sorted((SHARED / "funding" / "cases").glob("*.json"))


def run_cli(case, monkeypatch=None):
    """Run clas_funding on a dict or raw text; return (exit code, parsed JSON output)."""
    text = case if isinstance(case, str) else json.dumps(case)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    try:
        call_command("clas_funding", "-", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def restrict(actual, expected):
    """The comparison the contract asks for: expected keys must match, extra keys are welcome."""
    if isinstance(expected, dict):
        return {key: restrict(actual.get(key), value) for key, value in expected.items()}
    return actual


def test_reference_cases_exist():
    assert len(CASES) >= 4, f"reference cases not found under {SHARED}"


@pytest.mark.django_db
@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_reference_case_matches_expected(case_path):
    expected = json.loads((case_path.parent.parent / "expected" / case_path.name).read_text())
    out = io.StringIO()
    call_command("clas_funding", str(case_path), stdout=out)
    assert restrict(json.loads(out.getvalue()), expected) == expected


def base_case(**overrides):
    case = {
        "bareme_year": 2026,
        "carrier_kind": "association",
        "collectives_agreed": 2,
        "forecast": {"collectives": 2, "weeks": 30, "charges": {"64": "10000.00"}},
    }
    case.update(overrides)
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case, field, code",
    [
        (base_case(bareme_year=1999), "bareme_year", "unknown_bareme_year"),
        (base_case(carrier_kind="sarl"), "carrier_kind", "unknown_carrier_kind"),
        (
            base_case(forecast={"collectives": 0, "weeks": 30, "charges": {}}),
            "forecast.collectives",
            "collectives_below_one",
        ),
        (base_case(collectives_agreed=0), "collectives_agreed", "collectives_below_one"),
        (
            base_case(forecast={"collectives": 2, "weeks": 30, "charges": {"64": "-1.00"}}),
            "forecast.charges.64",
            "negative_amount",
        ),
        (
            base_case(forecast={"collectives": 2, "weeks": 30, "charges": {"64": "douze"}}),
            "forecast.charges.64",
            "invalid_amount",
        ),
        (
            base_case(forecast={"collectives": 2, "weeks": 54, "charges": {}}),
            "forecast.weeks",
            "weeks_out_of_range",
        ),
        (
            base_case(forecast={"collectives": 2, "weeks": -1, "charges": {}}),
            "forecast.weeks",
            "weeks_out_of_range",
        ),
        (
            base_case(forecast={"collectives": 3, "weeks": 30, "charges": {}}),
            "forecast.collectives",
            "collectives_above_agreed",
        ),
        (
            base_case(actual={"collectives": 3, "weeks": 30, "charges": {}}),
            "actual.collectives",
            "collectives_above_agreed",
        ),
        (base_case(advances_paid="-5"), "advances_paid", "negative_amount"),
        (base_case(bonus_children_granted="oui"), "bonus_children_granted", "invalid_boolean"),
        (base_case(forecast=None), "forecast", "required"),
    ],
)
def test_bad_input_exits_2_with_a_french_message(monkeypatch, case, field, code):
    exit_code, output = run_cli(case, monkeypatch)
    assert exit_code == 2
    found = {(e["field"], e["code"]) for e in output["errors"]}
    assert (field, code) in found
    for error in output["errors"]:
        assert error["message"][0].isupper() or error["message"][0] in "«0123456789"


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["{not json", "", "[1, 2]", '{"bareme_year": NaN}'])
def test_malformed_json_exits_2(monkeypatch, text):
    exit_code, output = run_cli(text, monkeypatch)
    assert exit_code == 2
    assert output["errors"][0]["field"] == "case"


@pytest.mark.django_db
def test_missing_file_exits_2(tmp_path):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("clas_funding", str(tmp_path / "absent.json"), stdout=out)
    assert exc.value.code == 2
    assert json.loads(out.getvalue())["errors"][0]["code"] == "unreadable_case"


@pytest.mark.django_db
def test_only_associations_and_mutuelles_count_860_861(monkeypatch):
    charges = {"64": "6000.00", "860": "1000.00", "861": "500.00", "862": "700.00", "87": "9"}
    for kind, expected in [
        ("association", "7500.00"),
        ("mutuelle", "7500.00"),
        ("collectivite", "6000.00"),
        ("etablissement_public", "6000.00"),
        ("etablissement_prive_social", "6000.00"),
        ("entreprise", "6000.00"),
    ]:
        case = base_case(
            carrier_kind=kind,
            collectives_agreed=1,
            forecast={"collectives": 1, "weeks": 30, "charges": charges},
        )
        code, output = run_cli(case, monkeypatch)
        assert code == 0
        assert output["forecast"]["cost_price"] == expected, kind


@pytest.mark.django_db
def test_sub_accounts_follow_their_account(monkeypatch):
    charges = {
        "6061": "100.00",
        "6411": "5000.00",
        "8601": "50.00",
        "8610": "25.00",
        "8621": "999.00",
        "7": "1",
    }
    case = base_case(
        collectives_agreed=1, forecast={"collectives": 1, "weeks": 30, "charges": charges}
    )
    code, output = run_cli(case, monkeypatch)
    assert code == 0 and output["forecast"]["cost_price"] == "5175.00"


@pytest.mark.django_db
def test_bonus_rules_in_actual(monkeypatch):
    """Not granted → 0; capped by the declaration's collectives; actual capped by forecast."""
    case = base_case(
        collectives_agreed=3,
        bonus_children_granted=True,
        bonus_parents_granted=False,
        forecast={
            "collectives": 3,
            "weeks": 30,
            "charges": {"64": "30000"},
            "bonus_children_collectives": 5,
            "bonus_parents_collectives": 2,
        },
        actual={
            "collectives": 2,
            "weeks": 30,
            "charges": {"64": "30000"},
            "bonus_children_collectives": 3,
            "bonus_parents_collectives": 2,
        },
        advances_paid="9000.00",
    )
    code, output = run_cli(case, monkeypatch)
    assert code == 0
    assert output["forecast"]["bonus_children"] == "1005.00"  # capped at 3 collectives
    assert output["forecast"]["bonus_parents"] == "0.00"  # not granted
    assert output["actual"]["bonus_children"] == "670.00"  # capped at 2 actual collectives
    # PS actual: 0.325 × min(30000, 2 × 8652) = 5623.80; right 6293.80; balance −2706.20
    assert output["actual"]["ps"] == "5623.80"
    assert output["actual"]["balance"] == "-2706.20"


@pytest.mark.django_db
def test_weeks_factor_applies_to_forecast_too_and_uses_caf_minimum(monkeypatch):
    case = base_case(
        min_weeks=28,
        collectives_agreed=1,
        forecast={"collectives": 1, "weeks": 27, "charges": {"64": "8000"}},
    )
    code, output = run_cli(case, monkeypatch)
    # 0.325 × 8000 × 27/28 = 2507.142857… → 2507.14
    assert output["forecast"]["ps"] == "2507.14"
