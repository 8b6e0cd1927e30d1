"""The figures page's computation (issue 21): one grouped SQL query gives the same figures as the
row-by-row reading it replaced (kept below as the reference), the page's query count does not
grow with the projects, and an archived campaign's figures come from the cache until anything
they are computed from is saved."""

import datetime
import random
from collections import defaultdict
from dataclasses import asdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clasportal.models import Commune
from committee.financers import FinancingScheme
from committee.models import (
    AgendaItem,
    CommitteeSession,
    Decision,
    FinancerDecision,
    PartnerOrganisation,
)
from declarations import figures
from declarations.financer_figures import granted
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import Collective, Project, ProjectStatus

from .factories import (
    CampaignFactory,
    CarrierFactory,
    CollectiveFactory,
    ProjectFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db

ZERO = Decimal("0")
CASE = {
    "bareme_year": 2023,
    "carrier_kind": "association",
    "collectives_agreed": 1,
    "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
}
PAID_KINDS = ("advance_1", "advance_2", "balance")


# --- The reference: the figures read row by row, as before issue 21 -------------------------


def reference_compute(campaigns):
    campaign_ids = [c.pk for c in campaigns]
    projects = list(
        Project.objects.filter(campaign_id__in=campaign_ids, status=ProjectStatus.APPROVED)
        .order_by()
        .values_list("pk", "campaign_id", "carrier_id", "carrier__commune__territory__name")
    )
    ids = [row[0] for row in projects]
    decisions = {}
    for project_id, retained, ps, bonus in (
        Decision.objects.filter(item__project_id__in=ids, outcome="approved")
        .order_by("decided_at", "pk")
        .values_list("item__project_id", "collectives_retained", "forecast_ps", "forecast_bonus")
    ):
        decisions[project_id] = (retained, ps, bonus)
    children = defaultdict(list)
    for project_id, planned in (
        Collective.objects.filter(project_id__in=ids)
        .order_by("project_id", "pk")
        .values_list("project_id", "planned_children")
    ):
        children[project_id].append(planned)
    actuals = {
        project_id: (run, sum(int(c or 0) for c in kids or []), weeks or 0)
        for project_id, run, kids, weeks in Declaration.objects.filter(
            project_id__in=ids, kind="actual", status="validated"
        ).values_list("project_id", "collectives", "children", "weeks")
    }
    paid, recovered = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for project_id, kind, status, amount in Payment.objects.filter(project_id__in=ids).values_list(
        "project_id", "kind", "status", "amount"
    ):
        if kind in PAID_KINDS and status == "paid":
            paid[project_id] += amount
        elif kind == "recovery" and status == "recovered":
            recovered[project_id] += amount
    totals = {pk: figures.Figures() for pk in campaign_ids}
    territories = {pk: defaultdict(figures.Figures) for pk in campaign_ids}
    for pk, campaign_id, carrier_id, territory in projects:
        planned = children.get(pk, [])
        retained, ps, bonus = decisions.get(pk, (len(planned), ZERO, ZERO))
        retained = retained or len(planned)
        retained_children = sum(planned[:retained])
        for f in (totals[campaign_id], territories[campaign_id][territory or "Hors territoire"]):
            f.projects += 1
            f.carriers.add(carrier_id)
            f.collectives_retained += retained
            f.children_planned += retained_children
            f.ps_decided += ps
            f.bonus_decided += bonus
            f.paid += paid[pk]
            f.recovered += recovered[pk]
            if pk in actuals:
                run, run_children, weeks = actuals[pk]
                f.actual_projects += 1
                f.collectives_run += run
                f.children_run += run_children
                f.weeks_run += weeks
                f.headline_collectives += run
                f.headline_children += run_children
            else:
                f.headline_collectives += retained
                f.headline_children += retained_children
    return totals, territories


def reference_granted(campaigns):
    financers = defaultdict(lambda: defaultdict(lambda: [ZERO, set()]))
    schemes = defaultdict(lambda: defaultdict(lambda: [ZERO, set()]))
    for campaign_id, partner, scheme, carrier_id, amount in FinancerDecision.objects.filter(
        project__campaign_id__in=[c.pk for c in campaigns], outcome="granted"
    ).values_list(
        "project__campaign_id", "partner__name", "scheme__name", "project__carrier_id", "amount"
    ):
        for bucket in [financers[partner][campaign_id]] + (
            [schemes[(partner, scheme)][campaign_id]] if scheme else []
        ):
            bucket[0] += amount
            bucket[1].add(carrier_id)
    return financers, schemes


def _plain(totals, territories):
    return (
        {pk: asdict(f) for pk, f in totals.items()},
        {pk: {name: asdict(f) for name, f in by.items()} for pk, by in territories.items()},
    )


def _plain_granted(financers, schemes):
    return tuple(
        {key: {pk: (amount, carriers) for pk, (amount, carriers) in by.items()}
         for key, by in table.items() if by}
        for table in (financers, schemes)
    )  # fmt: skip


# --- A varied dataset ------------------------------------------------------------------------


def varied_campaign(caf, year, rng, projects=30):
    """Approved and refused projects over two territories and a commune outside any, with no
    decision, a decision without a count, a count above the collectives, a revised decision, a
    refused one after an approval, actual declarations with odd children counts, payments of
    every kind and status, and co-financers granting or refusing, inside or outside a scheme."""
    campaign = CampaignFactory(caf=caf, year=year)
    communes = [TerritoryFactory(caf=caf) for _ in range(2)]
    communes = [Commune.objects.create(caf=caf, territory=t, insee_code=f"{year}{i}", name=f"C{i}")
                for i, t in enumerate(communes)]  # fmt: skip
    communes.append(Commune.objects.create(caf=caf, insee_code=f"{year}9", name="Hors"))
    carriers = [CarrierFactory(commune=rng.choice(communes)) for _ in range(projects // 2)]
    sessions = [
        CommitteeSession.objects.create(
            caf=caf, campaign=campaign, date=datetime.date(year, 10, day), place="Caf"
        )
        for day in (1, 2)
    ]
    computation = store_computation(data=CASE, kind="forecast")
    partner = PartnerOrganisation.objects.create(caf=caf, kind="msa", name=f"MSA {year}")
    scheme = FinancingScheme.objects.create(
        partner=partner, campaign=campaign, name="Grandir", rule="free", amount=Decimal("100")
    )
    for number in range(projects):
        status = ProjectStatus.APPROVED if number % 7 else ProjectStatus.REFUSED
        project = ProjectFactory(carrier=rng.choice(carriers), campaign=campaign, status=status)
        for _ in range(rng.randint(0, 4)):
            CollectiveFactory(project=project, planned_children=rng.randint(5, 14))
        shape = number % 5
        if shape:  # 0: no decision at all
            Decision.objects.create(
                item=AgendaItem.objects.create(session=sessions[0], project=project),
                outcome="approved",
                collectives_retained=0 if shape == 1 else rng.randint(1, 5),
                forecast_ps=Decimal(rng.randint(1000, 9000)) + Decimal("0.45"),
                forecast_bonus=Decimal(rng.choice([0, 300])),
            )
        if shape in (3, 4):  # revised (approved again) or refused after the approval
            Decision.objects.create(
                item=AgendaItem.objects.create(session=sessions[1], project=project),
                outcome="approved" if shape == 3 else "refused",
                collectives_retained=rng.randint(1, 3),
                forecast_ps=Decimal(rng.randint(1000, 9000)),
            )
        if number % 3 == 0:
            Declaration.objects.create(
                project=project,
                kind="actual",
                collectives=rng.randint(1, 4),
                children=rng.choice([[9, 8], ["7", None, ""], [], [11]]),
                weeks=rng.randint(20, 36),
                status="validated" if number % 2 else "submitted",
            )
        forecast = Declaration.objects.create(
            project=project, kind="forecast", collectives=1, weeks=30, status="validated"
        )
        for kind in ("advance_1", "balance", "recovery"):
            if rng.random() < 0.6:
                Payment.objects.create(
                    project=project,
                    declaration=forecast,
                    kind=kind,
                    amount=Decimal(rng.randint(100, 5000)) + Decimal("0.10"),
                    status=rng.choice(["paid", "cancelled", "recovered"]),
                    computation=computation,
                )
        if rng.random() < 0.5:
            outcome = rng.choice(["granted", "granted", "refused"])
            FinancerDecision.objects.create(
                project=project,
                partner=partner,
                scheme=scheme if rng.random() < 0.5 else None,
                outcome=outcome,
                amount=Decimal(rng.randint(0, 900)) if outcome == "granted" else ZERO,
            )
    return campaign


@pytest.fixture
def history(loire):
    rng = random.Random(21)
    return [varied_campaign(loire.caf, year, rng) for year in (2023, 2024, 2025)]


def test_the_grouped_query_gives_the_row_by_row_figures(loire, history):
    campaigns = [*history, loire.project.campaign]
    expected = _plain(*reference_compute(campaigns))
    assert _plain(*figures.compute(campaigns)) == expected
    # Not a vacuous comparison: the dataset has every stage in it.
    totals = expected[0]
    assert all(totals[c.pk]["projects"] > 10 for c in history)
    assert sum(totals[c.pk]["actual_projects"] for c in history) > 0
    assert sum(totals[c.pk]["recovered"] for c in history) > 0
    assert any("Hors territoire" in expected[1][c.pk] for c in history)
    assert _plain_granted(*granted(campaigns)) == _plain_granted(*reference_granted(campaigns))
    assert _plain_granted(*reference_granted(campaigns))[1]  # schemes granted


def _archive(campaign):
    campaign.archived_at = timezone.now()
    campaign.save()


def _figures_queries(queries):
    return [q for q in queries if "WITH approved AS" in q["sql"]]


def test_an_archived_campaign_is_read_from_the_cache_until_its_rows_change(
    loire, history, django_assert_num_queries
):
    archived, live = history[0], history[1]
    _archive(archived)
    before = figures.compute([archived, live])
    granted([archived])
    with CaptureQueriesContext(connection) as again:
        assert _plain(*figures.compute([archived, live])) == _plain(*before)
    # Both are cached (the campaign at work too, tests/test_figures_cache.py).
    assert _figures_queries(again.captured_queries) == []
    with django_assert_num_queries(0):
        figures.compute([archived])
        granted([archived])

    def paid():
        return figures.compute([archived])[0][archived.pk].paid

    project = Project.objects.filter(campaign=archived, status="approved").first()
    payment = Payment.objects.create(
        project=project,
        declaration=project.declarations.get(kind="forecast"),
        kind="advance_2",
        amount=Decimal("1000.00"),
        status="paid",
        computation=store_computation(data=CASE, kind="forecast"),
    )
    assert paid() == before[0][archived.pk].paid + Decimal("1000.00")
    payment.status = "cancelled"
    payment.save()
    assert paid() == before[0][archived.pk].paid
    Payment.objects.get(pk=payment.pk).delete()  # without its project loaded
    assert paid() == before[0][archived.pk].paid

    def headline():
        return figures.compute([archived])[0][archived.pk].headline_collectives

    start = headline()
    declaration = Declaration.objects.create(
        project=Project.objects.filter(campaign=archived, status="approved")
        .exclude(declarations__kind="actual")
        .first(),
        kind="actual",
        collectives=40,
        weeks=30,
        status="validated",
    )
    assert headline() > start
    declaration.delete()
    assert headline() == start

    def ps():
        return figures.compute([archived])[0][archived.pk].ps_decided

    start = ps()
    decision = Decision.objects.filter(item__project__campaign=archived, outcome="approved")
    decision = Decision.objects.get(pk=decision.order_by("-decided_at", "-pk").first().pk)
    decision.forecast_ps += Decimal("1.00")
    decision.save()  # item not loaded: found through the agenda item
    assert ps() == start + Decimal("1.00")

    first = figures.compute([archived])[1][archived.pk]
    territory = project.carrier.commune.territory
    if territory is not None:
        old_name = territory.name
        territory.name = "Renommé"
        territory.save()
        renamed = figures.compute([archived])[1][archived.pk]
        assert "Renommé" in renamed and old_name not in renamed
        assert renamed["Renommé"].projects == first[old_name].projects

    # A co-financer's decision on a project of the archived campaign.
    rows = granted([archived])[0]
    partner = PartnerOrganisation.objects.get(name="MSA 2023")
    FinancerDecision.objects.create(
        project=project, partner=partner, outcome="granted", amount=Decimal("12.00")
    )
    assert granted([archived])[0][partner.name][archived.pk][0] == rows.get(partner.name, {}).get(
        archived.pk, [ZERO]
    )[0] + Decimal("12.00")


def test_a_change_in_another_campaign_leaves_the_archived_one_cached(loire, history):
    archived, live = history[0], history[1]
    _archive(archived)
    figures.compute([archived])
    Payment.objects.filter(project__campaign=live).first().save()
    with CaptureQueriesContext(connection) as again:
        figures.compute([archived])
    assert _figures_queries(again.captured_queries) == []


# The figures page whatever the number of projects and campaigns: the session, the person, the
# second factor, the campaigns, the figures, the financers, and the request's transaction (the
# row-by-row reading before issue 21 ran four more; the session is no longer written on every
# page, SlidingSessionMiddleware).
FIGURES_PAGE_QUERIES = 8


def test_the_figures_page_runs_a_fixed_number_of_queries(client, loire, django_assert_num_queries):
    rng = random.Random(5)
    client.force_login(loire.caf_admin)
    url = reverse("declarations:figures")
    client.get(url)  # the per-process caches (content types, unread notices)
    varied_campaign(loire.caf, 2024, rng, projects=5)
    with django_assert_num_queries(FIGURES_PAGE_QUERIES):
        small = client.get(url)
    varied_campaign(loire.caf, 2023, rng, projects=60)
    with django_assert_num_queries(FIGURES_PAGE_QUERIES):
        large = client.get(url)
    assert len(large.context["series"]) == len(small.context["series"]) + 1 == 3


def test_the_change_on_a_year_reads_as_before():
    from clasportal.templatetags.clas import change

    assert change(None) == ""
    assert change(Decimal("12.34")) == '<span class="small d-block text-success">+12,3 %</span>'
    assert change(Decimal("0")) == '<span class="small d-block text-success">+0,0 %</span>'
    assert change(Decimal("-3")) == '<span class="small d-block text-danger">-3,0 %</span>'


def test_a_deleted_project_leaves_its_archived_campaign_without_a_lookup_per_row(loire, history):
    archived = history[0]
    project = ProjectFactory(carrier=loire.carrier, campaign=archived, status="approved")
    for _ in range(3):
        CollectiveFactory(project=project)
    Declaration.objects.create(
        project=project, kind="actual", collectives=3, weeks=30, status="validated"
    )
    _archive(archived)
    count = figures.compute([archived])[0][archived.pk].projects
    project = Project.objects.get(pk=project.pk)  # its rows not loaded
    with CaptureQueriesContext(connection) as deletion:
        project.delete()
    lookups = [q for q in deletion.captured_queries if 'SELECT "projects_project"' in q["sql"]]
    assert lookups == []  # the project's own receiver forgot the campaign
    assert figures.compute([archived])[0][archived.pk].projects == count - 1
