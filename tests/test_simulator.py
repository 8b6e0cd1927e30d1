"""The simulator computes what the CLI computes, keeps entries on bad input, and works with htmx."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from funding.engine import format_euros
from funding.models import Bareme

pytestmark = pytest.mark.django_db

FORM = {
    "bareme_year": "2026",
    "carrier_kind": "association",
    "collectives": "3",
    "weeks": "24",
    "min_weeks": "27",
    "charge_60": "2 500,00",
    "charge_64": "16000",
    "charge_861": "1500",
    "charge_864": "4000",
    "bonus_children": "on",
    "bonus_children_collectives": "2",
    "bonus_parents_collectives": "0",
}


def cli(case):
    path = io.StringIO()
    import sys

    stdin = sys.stdin
    sys.stdin = io.StringIO(json.dumps(case))
    try:
        call_command("clas_funding", "-", stdout=path)
    finally:
        sys.stdin = stdin
    return json.loads(path.getvalue())


def test_simulator_shows_the_cli_figures(client, loire):
    client.force_login(loire.advisor)
    response = client.post(reverse("funding:simulator"), FORM)
    assert response.status_code == 200
    text = response.content.decode()
    case = {
        "bareme_year": 2026,
        "carrier_kind": "association",
        "collectives_agreed": 3,
        "min_weeks": 27,
        "bonus_children_granted": True,
        "forecast": {
            "collectives": 3,
            "weeks": 24,
            "charges": {"60": "2500.00", "64": "16000", "861": "1500", "864": "4000"},
            "bonus_children_collectives": 2,
        },
    }
    expected = cli(case)["forecast"]
    for key in ("cost_price", "ps", "bonus_children", "right", "advances_max"):
        assert format_euros(Decimal(expected[key])) in text, key
    assert "24/27" in text  # the step-by-step explanation
    assert "2\xa0026" not in text and "2 026" not in text  # years are never digit-grouped


def test_simulator_htmx_returns_the_result_fragment(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(reverse("funding:simulator"), FORM, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert 'data-testid="right"' in text
    assert 'hx-swap-oob="true"' in text


def test_bad_input_is_reported_next_to_the_field_and_entries_are_kept(client, loire):
    client.force_login(loire.carrier_user)
    data = {**FORM, "charge_64": "douze mille", "weeks": "60"}
    response = client.post(reverse("funding:simulator"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Saisissez un montant en euros" in text
    assert "au plus 53" in text
    assert 'value="2 500,00"' in text  # the valid entries are still there
    assert 'aria-invalid="true"' in text


def test_bonus_collectives_above_collectives_is_refused(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("funding:simulator"), {**FORM, "bonus_children_collectives": "5"}
    )
    assert "Au plus 3 collectifs" in response.content.decode()


def test_carrier_cannot_change_the_caf_minimum_weeks(client, loire):
    loire.caf.policy.min_weeks = 28
    loire.caf.policy.save()
    client.force_login(loire.carrier_user)
    response = client.post(reverse("funding:simulator"), {**FORM, "min_weeks": "10"})
    assert "24/28" in response.content.decode()


def test_a_new_bareme_is_used_at_once_by_simulator_and_cli(client, loire, national_admin):
    client.force_login(national_admin)
    response = client.post(
        reverse("funding:bareme_create"),
        {
            "year": "2027",
            "rate": "0,325",
            "ceiling": "8 800,00",
            "bonus_children": "340",
            "bonus_parents": "340",
            "advances_cap": "0,70",
            "source": "Circulaire 2027",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Bareme.objects.get(year=2027).ceiling == Decimal("8800.00")
    client.force_login(loire.advisor)
    data = {**FORM, "bareme_year": "2027", "weeks": "30", "charge_64": "30000"}
    text = client.post(reverse("funding:simulator"), data).content.decode()
    # 0.325 × min(33 500 / 3 ; 8 800) × 3 = 8 580,00
    assert format_euros(Decimal("8580.00")) in text
    output = cli(
        {
            "bareme_year": 2027,
            "carrier_kind": "association",
            "collectives_agreed": 3,
            "forecast": {"collectives": 3, "weeks": 30, "charges": {"64": "35000"}},
        }
    )
    assert output["bareme"]["ceiling"] == "8800.00"
    assert output["forecast"]["ps"] == "8580.00"


def test_simulator_is_open_to_the_national_admin_who_sets_the_bareme(client, national_admin):
    client.force_login(national_admin)
    assert client.get(reverse("funding:simulator")).status_code == 200
