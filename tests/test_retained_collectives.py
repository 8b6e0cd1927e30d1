"""Issue 17: the committee retains fewer collectives than requested — the forecast right uses the
request's cost prorated to them, and every list and export shows the retained collectives and
their children."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from committee.exports import agenda_rows, agrement_pdf, agrement_xlsx
from committee.models import ExportJob
from declarations import services
from declarations.models import Declaration
from funding.services import compute_from_data
from projects.models import BudgetLine, ConventionYear

from .declaration_helpers import approve
from .factories import CollectiveFactory
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def four_collectives_three_retained(world):
    project = world.project
    first = project.collectives.get()
    first.planned_children = 10
    first.save()
    for children in (11, 12, 9):
        CollectiveFactory(project=project, planned_children=children)
    BudgetLine.objects.create(project=project, account="64", amount=Decimal("24000.00"))
    BudgetLine.objects.create(
        project=project, account="74", financer="commune", amount=Decimal("24000.00")
    )
    return approve(world, collectives=3)


def engine_ps(project, *, collectives, charges):
    case = {
        "bareme_year": project.campaign.year,
        "carrier_kind": project.carrier.kind,
        "collectives_agreed": collectives,
        "min_weeks": 27,
        "forecast": {"collectives": collectives, "weeks": 30, "charges": {"64": charges}},
    }
    return compute_from_data(case)[1].forecast.ps


def test_the_decision_uses_the_cost_of_the_retained_collectives(loire):
    project = four_collectives_three_retained(loire)
    decision = project.agenda_items.get().decision
    # 24 000 € for 4 collectives; 3 retained: 24 000 × 3/4 = 18 000 €.
    expected = engine_ps(project, collectives=3, charges="18000.00")
    assert decision.forecast_ps == expected == Decimal("5850.00")
    # The whole cost shared among the 3 would have given 7 800,00 €.
    assert engine_ps(project, collectives=3, charges="24000.00") == Decimal("7800.00")
    assert decision.computation.inputs["forecast"]["charges"] == {"64": "18000.00"}

    forecast = services.open_declaration(project, "forecast", by=loire.carrier_user)
    assert forecast.collectives == 3 and forecast.children == [10, 11, 12]
    assert {(line.account, line.amount) for line in forecast.lines.all()} == {
        ("64", Decimal("18000.00")),
        ("74", Decimal("18000.00")),
    }
    Declaration.objects.filter(pk=forecast.pk).update(weeks_sept_dec=12, weeks_jan_aug=18)
    services.submit(forecast.pk, by=loire.carrier_user, justifications={})
    services.validate(forecast.pk, by=loire.processor)
    forecast.refresh_from_db()
    assert forecast.right == expected  # the declaration keeps the decision's figures

    line = ConventionYear.objects.get(project=project)
    assert (line.agreed_collectives, line.agreed_children) == (3, 33)


def test_the_agrement_list_shows_the_retained_collectives_and_their_children(loire):
    project = four_collectives_three_retained(loire)
    session = project.agenda_items.get().session
    [row] = agenda_rows(session)
    assert (row["collectives"], row["collectives_requested"], row["children"]) == (3, 4, 33)
    text = pdf_text(agrement_pdf(session))
    # Whole numbers only: a factory's territory may be called « Territoire 427 ».
    numbers = re.findall(r"(?<![\d,])\d+(?![\d,])", text)
    assert "sur 4 demandés" in text and "33" in numbers and "42" not in numbers
    sheet = load_workbook(io.BytesIO(agrement_xlsx(session))).active
    header = [c.value for c in sheet[3]]
    data = [c.value for c in sheet[4]]
    assert data[header.index("Collectifs")] == 3 and data[header.index("Enfants")] == 33


def _export(client, what):
    response = client.post(reverse("declarations:list_export", args=[what, "csv"]))
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    content = b"".join(
        client.get(reverse("declarations:list_export_download", args=[job.pk])).streaming_content
    )
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_list_exports_show_the_retained_collectives_and_children(client, loire):
    project = four_collectives_three_retained(loire)
    forecast = services.open_declaration(project, "forecast", by=loire.carrier_user)
    Declaration.objects.filter(pk=forecast.pk).update(weeks_sept_dec=12, weeks_jan_aug=18)
    services.submit(forecast.pk, by=loire.carrier_user, justifications={})
    client.force_login(loire.processor)

    rows = _export(client, "projets")
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[5] == project.title), strict=True))
    assert (row["Collectifs"], row["Enfants prévus"]) == ("4", "42")
    assert (row["Collectifs retenus"], row["Enfants retenus"]) == ("3", "33")

    rows = _export(client, "collectifs")
    retained = {r[4]: r[-1] for r in rows[1:] if r[0] == project.title}
    last = project.collectives.order_by("pk").last().name
    assert retained.pop(last) == "non" and set(retained.values()) == {"oui"}

    rows = _export(client, "declarations")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Collectifs"], row["Enfants"]) == ("3", "33")
    assert (row["Collectifs retenus"], row["Enfants retenus"]) == ("3", "33")
