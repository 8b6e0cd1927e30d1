"""The national barème and each Caf's policy: edited by the right role, validated, traced."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Bareme, CafPolicy
from funding.services import store_computation

pytestmark = pytest.mark.django_db

ROW = {
    "rate": "0.325",
    "ceiling": "8652.00",
    "bonus_children": "335",
    "bonus_parents": "335",
    "advances_cap": "0.70",
    "source": "Guide des porteurs Loire 2026/2027",
}


def test_migration_loads_the_barème_of_spec():
    rows = {b.year: b for b in Bareme.objects.all()}
    assert rows[2023].ceiling == Decimal("7885.00") and rows[2023].bonus_children == 305
    assert rows[2025].ceiling == Decimal("8487.00") and rows[2025].bonus_parents == 329
    assert rows[2026].ceiling == Decimal("8652.00") and rows[2026].rate == Decimal("0.325")
    assert rows[2025].max_ps_per_collective == Decimal("2758.28")


@pytest.mark.parametrize("attr", ["carrier_user", "advisor", "caf_admin"])
def test_only_the_national_admin_edits_the_bareme(client, loire, attr):
    client.force_login(getattr(loire, attr))
    assert client.post(reverse("funding:bareme_create"), {**ROW, "year": "2030"}).status_code == 403
    assert not Bareme.objects.filter(year=2030).exists()


def test_bad_bareme_input_gets_french_messages(client, national_admin):
    client.force_login(national_admin)
    response = client.post(
        reverse("funding:bareme_create"), {**ROW, "year": "2026", "ceiling": "beaucoup"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Un barème existe déjà pour cette année" in text
    assert "Saisissez un montant en euros" in text


def test_editing_a_used_bareme_asks_for_confirmation_and_is_traced(client, loire, national_admin):
    case = {
        "bareme_year": 2026,
        "carrier_kind": "association",
        "collectives_agreed": 1,
        "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
    }
    store_computation(data=case, kind="forecast", project=loire.project, is_decision=True)
    client.force_login(national_admin)
    url = reverse("funding:bareme_edit", args=[2026])
    page = client.get(url).content.decode()
    assert "déjà servi au calcul de 1 projet" in page

    response = client.post(url, {**ROW, "year": "2026", "ceiling": "8700.00"})
    assert response.status_code == 200
    assert "Confirmez la modification" in response.content.decode()
    assert loire.project.title in response.content.decode()
    assert Bareme.objects.get(year=2026).ceiling == Decimal("8652.00")

    response = client.post(url, {**ROW, "year": "2026", "ceiling": "8700.00", "confirm": "True"})
    assert response.status_code == 302
    bareme = Bareme.objects.get(year=2026)
    assert bareme.ceiling == Decimal("8700.00")
    last = bareme.history.first()
    assert last.history_user == national_admin
    delta = last.diff_against(last.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("ceiling", Decimal("8652.00"), Decimal("8700.00"))
    ]
    page = client.get(url).content.decode()
    assert "Prix plafond par collectif : 8\xa0652,00 → 8\xa0700,00" in page


def test_caf_admin_edits_own_policy_with_validation_and_history(client, loire, vosges):
    client.force_login(loire.caf_admin)
    url = reverse("funding:policy")
    response = client.post(
        url,
        {
            "min_weeks": "28",
            "min_children": "13",
            "min_children_rural": "5",
            "max_children": "12",
            "first_advance_rate": "0,40",
            "second_advance_rate": "0,40",
            "charges_variation_threshold": "0,15",
            "budget_imbalance_threshold": "0,01",
        },
    )
    assert response.status_code == 200
    assert "ne peuvent pas dépasser 70 %" in response.content.decode()
    assert "Le maximum ne peut pas être inférieur au minimum." in response.content.decode()
    response = client.post(
        url,
        {
            "min_weeks": "28",
            "min_children": "6",
            "min_children_rural": "4",
            "max_children": "12",
            "first_advance_rate": "0,35",
            "second_advance_rate": "0,35",
            "charges_variation_threshold": "0,2",
            "budget_imbalance_threshold": "0,01",
            # The Caf's session, staff, level and co-financing rules (issue 16).
            "sessions_per_week": "2",
            "session_minutes": "60",
            "sessions_per_week_rural": "1",
            "session_minutes_rural": "120",
            "staff_ratio_blocking": "",
            "one_level_per_request": "on",
            "min_cofinancing_share": "0,20",
        },
    )
    assert response.status_code == 302
    assert CafPolicy.objects.get(caf=loire.caf).min_weeks == 28
    saved = CafPolicy.objects.get(caf=loire.caf)
    assert (saved.session_minutes, saved.staff_ratio_blocking, saved.one_level_per_request) == (
        60,
        False,
        True,
    )
    assert saved.min_cofinancing_share == Decimal("0.20")
    assert CafPolicy.objects.get(caf=vosges.caf).min_weeks == 27
    assert CafPolicy.objects.get(caf=loire.caf).history.first().history_user == loire.caf_admin


@pytest.mark.parametrize("attr", ["carrier_user", "advisor", "processor", "committee"])
def test_policy_is_for_the_caf_admin_only(client, loire, attr):
    client.force_login(getattr(loire, attr))
    assert client.get(reverse("funding:policy")).status_code == 403


def test_the_cafs_children_range_applies_to_its_collectives_and_checks(loire, vosges):
    """8–12 children (5 rural) is the national default; a Caf's note de cadrage may differ."""
    from funding.checks import CheckContext, DeclarationData, run_checks
    from funding.models import CafPolicy
    from projects.completeness import policy_for
    from projects.forms import CollectiveForm

    policy = CafPolicy.objects.get(caf=loire.caf)
    policy.min_children, policy.max_children = 6, 14
    policy.save()
    loire.caf.refresh_from_db()
    loire.project.campaign.caf = loire.caf
    loire_policy, vosges_policy = policy_for(loire.caf), policy_for(vosges.caf)
    assert loire_policy.children_range(False) == (6, 14)
    assert vosges_policy.children_range(False) == (8, 12)
    data = DeclarationData(collectives=1, weeks=30, charges={}, children=(7,))

    def codes(policy):
        context = CheckContext(kind="actual", declaration=data, collectives_agreed=1, policy=policy)
        return {f.code for f in run_checks(context)}

    assert "children_out_of_range" not in codes(loire_policy)
    assert "children_out_of_range" in codes(vosges_policy)
    for world, justified in ((loire, False), (vosges, True)):
        form = CollectiveForm(
            {"planned_children": "7", "is_rural": ""}, project=world.project, prefix=None
        )
        form.is_valid()
        assert ("children_justification" in form.errors) is justified, world.caf.name
