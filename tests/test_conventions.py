"""Multi-year conventions (issue 15): a 3-year COF walked from the request to its third year,
with one adjustment and one amendment, the engine's figures each year, the committee once."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from committee.exports import agenda_rows, agrement_pdf
from committee.models import AgendaItem, Decision
from funding.models import Bareme, FundingComputation
from projects import conventions, workflow
from projects.convention_pdf import convention_pdf
from projects.models import (
    Convention,
    ConventionYear,
    Intervenant,
    ProjectStatus,
    Situation,
)

from .declaration_helpers import approve
from .factories import CampaignFactory, CollectiveFactory, ProjectFactory
from .request_helpers import make_complete, pdf_text

pytestmark = pytest.mark.django_db

YEAR2_BUDGET = [["64", "", "10000.00"], ["74", "commune", "10000.00"]]
YEAR3_BUDGET = [["64", "", "18000.00"], ["74", "commune", "18000.00"]]


def _funded_before(world, years=(2024, 2025)):
    for year in years:
        campaign = CampaignFactory(caf=world.caf, year=year)
        ProjectFactory(carrier=world.carrier, campaign=campaign, status=ProjectStatus.APPROVED)


def _baremes():
    # Different rates for the following years: each year's amount uses its own barème.
    for year, rate in ((2027, "0.3300"), (2028, "0.3400")):
        Bareme.objects.update_or_create(
            year=year,
            defaults={
                "rate": Decimal(rate),
                "ceiling": Decimal("9000.00"),
                "bonus_children": Decimal("340.00"),
                "bonus_parents": Decimal("340.00"),
            },
        )


def _ask_three_years(project):
    project.convention_years = 3
    project.convention_reason = "Action installée depuis 2024 avec les écoles du quartier."
    project.following_budgets = [YEAR2_BUDGET, YEAR3_BUDGET]
    project.save()


def test_length_outside_the_rules_is_refused_naming_the_rule(loire):
    project = loire.project
    project.convention_years = 3
    project.convention_reason = "Trois ans"
    project.save()
    errors = conventions.length_errors(project)
    assert any("première convention est annuelle" in e for e in errors)
    _funded_before(loire)
    assert conventions.length_errors(project) == []
    errors = conventions.length_errors(project, years=5)
    assert any("4 au plus" in e for e in errors)
    # The CTG alignment is the allowed exception, with its reason.
    assert conventions.length_errors(project, years=5, ctg_aligned=True) == []
    assert conventions.length_errors(project, years=5, ctg_aligned=True, reason="") != []
    # A centre social goes to its agrément's end.
    loire.carrier.social_centre_until = datetime.date(2031, 8, 31)
    loire.carrier.save()
    assert conventions.max_length(loire.carrier, 2026)[0] == 5


def test_following_budget_must_balance(loire):
    _funded_before(loire)
    project = loire.project
    _ask_three_years(project)
    project.following_budgets = [YEAR2_BUDGET, [["64", "", "18000.00"]]]
    project.save()
    errors = conventions.request_errors(project)
    assert any("année 3/3" in e and "pas équilibré" in e for e in errors)
    make_complete(project)
    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submit(project.pk, by=loire.carrier_user)
    assert any("pas équilibré" in m.message for m in refused.value.items)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_three_year_convention_from_request_to_year_three(loire, client):
    _funded_before(loire)
    _baremes()
    _ask_three_years(loire.project)
    # Year 1: the request goes through review and committee once.
    project = approve(loire, collectives=1)
    assert project.status == ProjectStatus.APPROVED
    convention = Convention.objects.get(carrier=loire.carrier)
    assert (convention.start, convention.end) == (
        datetime.date(2026, 9, 1),
        datetime.date(2029, 8, 31),
    )
    assert convention.years == 3 and convention.number.startswith("CLAS-")
    lines = list(ConventionYear.objects.filter(convention=convention).order_by("index"))
    assert [line.index for line in lines] == [1, 2, 3]
    decision = Decision.objects.get(item__project=project)
    assert lines[0].decided_amount == decision.forecast_ps + decision.forecast_bonus
    # 32,5 % of the cost price within the 2026 ceiling (8 652 € per collective).
    assert lines[0].decided_amount == Decimal("2811.90")
    assert lines[1].forecast_budget == YEAR2_BUDGET
    rows = agenda_rows(project.agenda_items.get().session)
    assert rows[0]["convention"] == "pluriannuelle (année 1/3)"
    listing = " ".join(pdf_text(agrement_pdf(project.agenda_items.get().session)).split())
    assert "pluriannuelle (année 1/3)" in listing

    # Year 2: the campaign opens, the carrier sees its year and enters only the forecast.
    campaign2 = CampaignFactory(caf=loire.caf, year=2027)
    client.force_login(loire.carrier_user)
    page = client.get(reverse("home"))
    assert "Année 2/3 : saisir vos données prévisionnelles" in page.content.decode()
    response = client.post(reverse("projects:convention_year_start", args=[lines[1].pk]))
    assert response.status_code == 302
    year2 = lines[1].__class__.objects.get(pk=lines[1].pk).project
    assert year2.situation == Situation.CONTINUING and year2.convention_id == convention.pk
    assert sorted((b.account, str(b.amount)) for b in year2.budget_lines.all()) == [
        ("64", "10000.00"),
        ("74", "10000.00"),
    ]
    # One more child than agreed: an adjustment for the advisor.
    collective = year2.collectives.get()
    collective.planned_children += 1
    collective.save()
    make_complete(year2)
    year2 = workflow.submit(year2.pk, by=loire.carrier_user)
    assert year2.status == ProjectStatus.ADJUSTMENT
    assert [c["field"] for c in year2.changes_to_validate] == ["children"]
    with pytest.raises(workflow.TransitionError):
        conventions.decide_adjustment(year2.pk, by=loire.advisor, accept=False, note="")
    year2 = conventions.decide_adjustment(
        year2.pk, by=loire.advisor, accept=True, note="Un enfant de plus, accepté"
    )
    assert year2.status == ProjectStatus.APPROVED and year2.agreed_collectives == 1
    assert year2.events.filter(action="validate_adjustment", actor=loire.advisor).exists()
    line2 = ConventionYear.objects.get(pk=lines[1].pk)
    computation = FundingComputation.objects.get(pk=line2.computation_id)
    assert computation.bareme.year == 2027 and computation.inputs["bareme_year"] == 2027
    # 33 % of the cost price within the 2027 ceiling (9 000 € per collective).
    assert line2.decided_amount == Decimal("2970.00")

    # An amendment between years 2 and 3: two collectives from year 3.
    line3 = ConventionYear.objects.get(pk=lines[2].pk)
    assert line3.agreed_children == line2.agreed_children  # the adjustment carried forward
    amendment = conventions.amend(
        convention.pk,
        by=loire.caf_admin,
        date=datetime.date(2028, 6, 1),
        reason="Ouverture d'un collectif au collège",
        collectives={line3.pk: 2},
    )
    assert amendment.number == 1 and amendment.pdf
    assert "Ouverture d'un collectif" in pdf_text(amendment.pdf.read())
    line3.refresh_from_db()
    assert line3.agreed_collectives == 2
    convention.refresh_from_db()
    assert convention.status == Convention.Status.AMENDED

    # Year 3: the forecast follows the amended convention, no change: straight to the GC.
    campaign3 = CampaignFactory(caf=loire.caf, year=2028)
    year3 = conventions.start_year(line3.pk, campaign=campaign3, by=loire.carrier_user)
    existing = year3.collectives.get()
    second = CollectiveFactory(
        project=year3,
        planned_children=existing.planned_children,
        planned_weeks=existing.planned_weeks,
        start_date=existing.start_date,
        weekdays=["mardi"],
    )
    for name in ("Inès Morel", "Hugo Blanc"):
        Intervenant.objects.create(collective=second, full_name=name, qualification="BAFA")
    make_complete(year3)
    year3 = workflow.submit(year3.pk, by=loire.carrier_user)
    assert year3.status == ProjectStatus.APPROVED and year3.agreed_collectives == 2
    line3.refresh_from_db()
    assert line3.computation.bareme.year == 2028
    # 34 % of 18 000 € for two collectives (barème 2028, ceiling 2 × 9 000 €).
    assert line3.decided_amount == Decimal("6120.00")
    assert year3.events.filter(action="confirm_year").exists()

    # The committee saw this carrier once, in year 1.
    assert AgendaItem.objects.filter(project__carrier=loire.carrier).count() == 1
    assert Decision.objects.filter(item__project__carrier=loire.carrier).count() == 1
    assert not year2.events.filter(action__in=["propose", "approve"]).exists()

    # The convention document.
    text = " ".join(pdf_text(convention_pdf(convention)).split())
    for expected in (
        convention.number,
        loire.carrier.legal_name,
        "01/09/2026",
        "31/08/2029",
        "Article 3",
        "Avenant n° 1",
        "Signatures",
        "2027/2028",
    ):
        assert expected in text, expected
    response = client.get(reverse("projects:convention_pdf", args=[convention.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    # A campaign outside the convention's years: refused, nothing created.
    campaign4 = CampaignFactory(caf=loire.caf, year=2029)
    assert conventions.years_to_enter(loire.carrier, campaign4) == []
    # Renewal: in its last year the carrier renews in the next campaign.
    assert conventions.situation_for(loire.carrier, 2029) == Situation.RENEWAL

    # Ending early, then any further amendment is refused.
    conventions.amend(
        convention.pk,
        by=loire.caf_admin,
        date=datetime.date(2029, 3, 1),
        reason="Le porteur cesse l'action",
        end_early=True,
    )
    with pytest.raises(conventions.ConventionError, match="terminée"):
        conventions.amend(
            convention.pk,
            by=loire.advisor,
            date=datetime.date(2029, 4, 1),
            reason="x",
            years=3,
        )
    assert campaign2 and campaign4


def test_register_lists_and_exports(loire, client):
    _funded_before(loire)
    _ask_three_years(loire.project)
    approve(loire)
    client.force_login(loire.caf_admin)
    page = client.get(reverse("projects:convention_list"))
    assert page.status_code == 200 and "CLAS-" in page.content.decode()
    export = client.get(reverse("projects:convention_export") + "?state=running")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    policy = client.post(
        reverse("projects:convention_policy"),
        {
            "max_years_cof": 4,
            "max_years_social_centre": 5,
            "min_prior_years": 2,
            "template": "{% if %}",
        },
    )
    assert "erreur de gabarit" in policy.content.decode()
