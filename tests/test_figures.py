"""The figures page counts each approved project once, the collectives and children the committee
retained or that were actually run, and the money actually paid. A dataset shaped like the Loire's
2023/2024 report must give back its five numbers: 66 projects, 48 carriers, 204 collectives,
2 116 children, 451 500 € paid."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.models import AgendaItem, CommitteeSession, Decision
from declarations import figures, figures_cache
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import ProjectStatus

from .factories import CampaignFactory, CarrierFactory, CollectiveFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CASE = {
    "bareme_year": 2023,
    "carrier_kind": "association",
    "collectives_agreed": 1,
    "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
}


def _children(index):
    # 76 collectives of 11 children and 128 of 10: 2 116 children in 204 collectives.
    return 11 if index < 76 else 10


@pytest.fixture
def loire_year(loire):
    campaign = CampaignFactory(caf=loire.caf, year=2023)
    session = CommitteeSession.objects.create(
        caf=loire.caf, campaign=campaign, date=datetime.date(2023, 10, 12), place="Saint-Étienne"
    )
    computation = store_computation(data=CASE, kind="forecast")
    # 48 carriers: the first 18 carry two projects (18 × 2 + 30 = 66 projects).
    carriers = [CarrierFactory(caf=loire.caf, commune=loire.carrier.commune) for _ in range(48)]
    owners = carriers[:18] * 2 + carriers[18:]
    collective_index = 0
    projects = []
    for number, carrier in enumerate(owners):
        project = ProjectFactory(carrier=carrier, campaign=campaign, status=ProjectStatus.APPROVED)
        # 60 projects of 3 collectives and 6 of 4: 204 collectives retained.
        retained = 4 if number < 6 else 3
        for _ in range(retained):
            CollectiveFactory(project=project, planned_children=_children(collective_index))
            collective_index += 1
        item = AgendaItem.objects.create(session=session, project=project, position=number)
        Decision.objects.create(
            item=item,
            outcome="approved",
            collectives_retained=retained,
            forecast_ps=Decimal("6000.00"),
            forecast_bonus=Decimal("300.00"),
        )
        declaration = Declaration.objects.create(
            project=project,
            kind="forecast",
            collectives=retained,
            weeks=30,
            status="validated",
        )
        # 65 projects paid 6 840 € and one 6 900 € (7 000 € paid, 100 € recovered): 451 500 €.
        amount = Decimal("6840.00") if number else Decimal("7000.00")
        for kind, share in (("advance_1", Decimal("0.5")), ("balance", Decimal("0.5"))):
            Payment.objects.create(
                project=project,
                declaration=declaration,
                kind=kind,
                amount=amount * share,
                status="paid",
                computation=computation,
            )
        if not number:
            Payment.objects.create(
                project=project,
                declaration=declaration,
                kind="recovery",
                amount=Decimal("100.00"),
                status="recovered",
                computation=computation,
            )
        projects.append(project)
    return campaign, session, projects


def test_the_loire_report_is_rebuilt(loire_year):
    campaign, session, projects = loire_year
    # Noise the report must ignore: a refused project, a collective the committee did not
    # retain, a decision revised (counted once), payments not yet paid.
    refused = ProjectFactory(
        carrier=projects[0].carrier, campaign=campaign, status=ProjectStatus.REFUSED
    )
    CollectiveFactory(project=refused, planned_children=12)
    CollectiveFactory(project=projects[10], planned_children=12)  # 4th, only 3 retained
    revised = projects[20]
    Decision.objects.filter(item__project=revised).update(forecast_ps=Decimal("5000.00"))
    second = CommitteeSession.objects.create(
        caf=campaign.caf, campaign=campaign, date=datetime.date(2024, 1, 18), place="Roanne"
    )
    Decision.objects.create(
        item=AgendaItem.objects.create(session=second, project=revised),
        outcome="approved",
        collectives_retained=3,
        forecast_ps=Decimal("6000.00"),
        forecast_bonus=Decimal("300.00"),
    )
    Payment.objects.filter(project=projects[30], kind="balance").update(status="to_pay")
    Payment.objects.create(
        project=projects[31],
        declaration=projects[31].declarations.get(),
        kind="advance_2",
        amount=Decimal("999.99"),
        status="sent",
        computation=Payment.objects.filter(project=projects[31]).first().computation,
    )

    totals, _ = figures.compute([campaign])
    row = totals[campaign.pk].as_row()
    assert (row["projects"], row["carriers"], row["collectives"], row["children"]) == (
        66,
        48,
        204,
        2116,
    )
    # The unpaid balance of project 30 is not money paid.
    assert row["paid"] == Decimal("451500.00") - Decimal("3420.00")
    assert row["ps_decided"] == Decimal("6000.00") * 66
    assert row["bonus_decided"] == Decimal("300.00") * 66


def test_actual_declarations_replace_the_retained_figures(loire_year):
    campaign, _, projects = loire_year
    project = projects[40]  # 3 collectives of 10 children retained
    Declaration.objects.create(
        project=project,
        kind="actual",
        collectives=2,
        children=[9, 8],
        weeks=28,
        status="validated",
    )
    Declaration.objects.create(  # not validated: ignored
        project=projects[41], kind="actual", collectives=1, children=[5], weeks=20
    )
    totals, territories = figures.compute([campaign])
    row = totals[campaign.pk].as_row()
    assert row["collectives"] == 204 - 3 + 2
    assert row["children"] == 2116 - 30 + 17
    assert (row["actual_projects"], row["collectives_run"], row["children_run"]) == (1, 2, 17)
    assert row["collectives_retained"] == 204 and row["children_planned"] == 2116
    territory = campaign.caf.territories.get(communes=projects[0].carrier.commune)
    assert territories[campaign.pk][territory.name].projects == 66


def test_the_page_labels_each_stage(client, loire, loire_year):
    client.force_login(loire.caf_admin)
    page = client.get(reverse("declarations:figures")).content.decode()
    assert "Décidé" in page and "Réalisé" in page and "Versé" in page
    assert "451\u202f500,00\u00a0€" in page
    row = page.split('<th scope="row">2023/2024</th>')[1].split("</tr>")[0]
    cells = [cell.split("<")[0].strip() for cell in row.split('">')[1:]]
    assert cells[:4] == ["66", "48", "204", "2\xa0116"], cells


# The wall clock held still: no cache expiry or session refresh between the counts.
@pytest.mark.usefixtures("held_clock")
def test_the_page_costs_the_same_queries_whatever_the_projects(
    client, loire, loire_year, django_assert_num_queries
):
    campaign, session, projects = loire_year
    client.force_login(loire.caf_admin)
    url = reverse("declarations:figures")
    client.get(url)  # warm the cache (the unread-notices badge)
    figures_cache.forget_caf(loire.caf.pk)  # the figures computed, not read from the cache
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) == len(before) - 2  # the figures and the financers' lines, cached
    for number in range(10):
        project = ProjectFactory(
            carrier=projects[number].carrier, campaign=campaign, status=ProjectStatus.APPROVED
        )
        CollectiveFactory(project=project)
        Decision.objects.create(
            item=AgendaItem.objects.create(session=session, project=project, position=100 + number),
            outcome="approved",
            collectives_retained=1,
            forecast_ps=Decimal("1000.00"),
        )
    # The decisions above forgot the campaign's figures: computed again, same queries.
    with django_assert_num_queries(len(before)):
        page = client.get(url).content.decode()
    assert "76" in page  # 66 + 10 projects shown


def test_the_national_consolidation_adds_every_caf(
    client, loire, vosges, loire_year, national_admin
):
    campaign, session, projects = loire_year
    vosges_year = CampaignFactory(caf=vosges.caf, year=2023)
    project = ProjectFactory(
        carrier=vosges.carrier, campaign=vosges_year, status=ProjectStatus.APPROVED
    )
    CollectiveFactory(project=project, planned_children=9)
    vosges_session = CommitteeSession.objects.create(
        caf=vosges.caf, campaign=vosges_year, date=datetime.date(2023, 10, 5), place="Épinal"
    )
    Decision.objects.create(
        item=AgendaItem.objects.create(session=vosges_session, project=project),
        outcome="approved",
        collectives_retained=1,
        forecast_ps=Decimal("2811.90"),
    )
    client.force_login(national_admin)
    context = client.get(reverse("declarations:national_figures"), {"annee": "2023"}).context
    national = context["national"]
    assert (national["projects"], national["carriers"], national["collectives"]) == (67, 49, 205)
    assert national["children"] == 2116 + 9
    assert national["ps_decided"] == Decimal("6000.00") * 66 + Decimal("2811.90")
    assert [r["caf"].name for r in context["rows"]] == sorted(
        ["Loire", "Vosges"], key=lambda n: {"Loire": loire.caf, "Vosges": vosges.caf}[n].departement
    )
    # The 2026 campaigns of both Caf are another year of the series.
    assert {r["year"] for r in context["series"]} == {2023, 2026}
    xlsx = client.get(reverse("declarations:national_figures_xlsx"), {"annee": "2023"})
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content))["Caf 2023"]
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[0] == "France entière" and last[2] == 67
    # A Caf's staff does not see the country.
    client.force_login(loire.caf_admin)
    assert client.get(reverse("declarations:national_figures")).status_code == 403
