"""The bonus part of the declarations (issue 17): each granted bonus carries its extra costs and
the collectives it concerns, in the forecast (from the request's figures) and the actual (from the
forecast's); the actual is sent with the invoices when the Caf asks for them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from declarations import bonus_costs
from declarations import services as declarations
from declarations.errors import DeclarationError
from declarations.models import BonusCosts, DeclarationDocument
from funding.models import CafPolicy

from .declaration_helpers import approve
from .request_helpers import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_bonus(loire):
    return approve(loire, bonus_children=True)


def edit(client, world, declaration, data):
    client.force_login(world.carrier_user)
    base = {
        "collectives": declaration.collectives,
        "weeks": declaration.weeks,
        "weeks_sept_dec": declaration.weeks_sept_dec or "",
        "weeks_jan_aug": declaration.weeks_jan_aug or "",
        "sessions_per_week": declaration.sessions_per_week,
        "bonus_children_collectives": declaration.bonus_children_collectives,
        "bonus_parents_collectives": declaration.bonus_parents_collectives,
        "action": "save",
    }
    for index, value in enumerate(declaration.children or []):
        base[f"children_{index + 1}"] = value
    return client.post(reverse("declarations:edit", args=[declaration.pk]), {**base, **data})


def send(declaration, world):
    found = declarations.findings(declaration)
    return declarations.submit(
        declaration.pk,
        by=world.carrier_user,
        justifications={(f.code, f.field): "ok" for f in found},
    )


def test_forecast_starts_from_the_request_and_keeps_the_carriers_figures(client, loire, with_bonus):
    forecast = declarations.open_declaration(with_bonus, "forecast", by=loire.carrier_user)
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:edit", args=[forecast.pk])).content.decode()
    assert "Bonus accordés : surcoûts et collectifs concernés" in page
    assert 'name="bonus-children_outings_cost" value="400,00"' in page  # the request's figure
    assert "bonus-parents_speakers_cost" not in page  # the parents' bonus is not granted
    response = edit(
        client,
        loire,
        forecast,
        {
            "bonus-children_equipment_cost": "250",
            "bonus-children_speakers_cost": "1 000,50",
            "bonus-children_outings_cost": "400",
            "bonus-children_collectives": ["1"],
            "bonus-parents_speakers_cost": "999",  # not granted: ignored
        },
    )
    assert response.status_code == 302
    costs = BonusCosts.objects.get(declaration=forecast)
    assert costs.children_speakers_cost == Decimal("1000.50")
    assert costs.children_total == Decimal("1650.50")
    assert costs.children_collectives == [1]
    assert costs.parents_speakers_cost == 0
    assert costs.history.count() == 1  # traced (simple_history)


def test_bad_input_is_explained_next_to_the_field_and_the_rest_kept(client, loire, with_bonus):
    forecast = declarations.open_declaration(with_bonus, "forecast", by=loire.carrier_user)
    response = edit(
        client,
        loire,
        forecast,
        {
            "bonus-children_equipment_cost": "-5",
            "bonus-children_speakers_cost": "300",
            "bonus-children_outings_cost": "abc",
            "bonus-children_collectives": ["1", "7"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un montant ne peut pas être négatif." in page
    assert "Saisissez un montant en euros" in page
    assert "Ce collectif n&#x27;existe pas dans la déclaration." in page
    costs = BonusCosts.objects.get(declaration=forecast)
    assert costs.children_speakers_cost == Decimal("300")  # the valid entry is kept
    assert costs.children_outings_cost == Decimal("400")  # the invalid one keeps its value
    forecast.bonus_children_collectives = 1
    form = bonus_costs.BonusCostsForm({"bonus-children_collectives": []}, declaration=forecast)
    assert form.is_valid()
    forecast.collectives = 2
    forecast.bonus_children_collectives = 1
    form = bonus_costs.BonusCostsForm(
        {"bonus-children_collectives": ["1", "2"]}, declaration=forecast
    )
    assert not form.is_valid()
    assert "Cochez 1 collectif : le nombre de collectifs concernés" in str(form.errors)


def test_actual_needs_the_invoices_when_the_caf_asks(client, loire, with_bonus):
    forecast = declarations.open_declaration(with_bonus, "forecast", by=loire.carrier_user)
    edit(
        client,
        loire,
        forecast,
        {"bonus-children_outings_cost": "400", "bonus-children_collectives": ["1"]},
    )
    send(forecast, loire)
    for justification in forecast.justifications.all():
        declarations.decide_justification(justification.pk, by=loire.processor, accepted=True)
    declarations.validate(forecast.pk, by=loire.processor)
    actual = declarations.open_declaration(with_bonus, "actual", by=loire.carrier_user)
    # The actual starts from the forecast's figures.
    form = bonus_costs.BonusCostsForm(declaration=actual)
    assert form.initial["children_outings_cost"] == Decimal("400")
    assert form.initial["children_collectives"] == ["1"]
    edit(client, loire, actual, {"bonus-children_outings_cost": "380,20"})
    assert bonus_costs.extra_costs(actual) == Decimal("380.20")
    CafPolicy.objects.filter(caf=loire.caf).update(bonus_invoices_required=True)
    with pytest.raises(DeclarationError, match="Joignez les factures des surcoûts des bonus"):
        send(actual, loire)
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:edit", args=[actual.pk])).content.decode()
    assert "Votre Caf demande les factures de ces surcoûts" in page
    DeclarationDocument.objects.create(
        declaration=actual,
        kind="invoice",
        file=pdf_upload("facture.pdf"),
        original_name="facture.pdf",
        content_type="application/pdf",
        size=10,
    )
    send(actual, loire)
    actual.refresh_from_db()
    assert actual.status == "submitted"
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:process", args=[actual.pk])).content.decode()
    assert "Bonus accordés" in page and "380,20" in page
    assert "Factures jointes : 1 (exigées par la Caf)" in page


def test_no_invoice_needed_without_the_policy_or_without_cost(loire, with_bonus):
    forecast = declarations.open_declaration(with_bonus, "forecast", by=loire.carrier_user)
    CafPolicy.objects.filter(caf=loire.caf).update(bonus_invoices_required=True)
    bonus_costs.check_before_submit(forecast)  # a forecast never needs them
    assert bonus_costs.extra_costs(forecast) == 0
