"""Query budgets: every list and detail page runs the same number of queries with 1 row as with
50 (no query per row). Each page is measured on the small world, then on the world grown by 49
rows of what it lists."""

import datetime
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clasportal.models import OutboundEmail
from committee.models import AgendaItem, CommitteeSession, Decision, ReviewNote
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import (
    Carrier,
    CarrierMembership,
    ProjectEvent,
    ProjectMessage,
    ProjectStatus,
)

from .factories import CarrierFactory, CollectiveFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
GROW = 49
CLOCK = None


@pytest.fixture(autouse=True)
def _held_clock(held_clock, monkeypatch):
    """The wall clock held still (tests/conftest.py): a warm-up and its measured page no longer
    straddle the session's refresh or the unread count's expiry on a slow machine."""
    monkeypatch.setattr(sys.modules[__name__], "CLOCK", held_clock)


def measured(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def count(client, url):
    """The page's queries with the clock still, then after a pause past the layout's deadlines
    (the session saved, the unread count recomputed): both compared before and after growth."""
    client.get(url)  # warm caches (session, content types, unread count)
    still = measured(client, url)
    CLOCK.pause()
    idle = measured(client, url)
    assert idle > still, url  # the pause is measured, not skipped
    return still, idle


def grow_projects(world, status=ProjectStatus.SUBMITTED):
    created = []
    for _ in range(GROW):
        project = ProjectFactory(
            carrier=world.carrier, campaign=world.project.campaign, status=status, has_findings=True
        )
        CollectiveFactory(project=project)
        created.append(project)
    return created


def case(project):
    return {
        "bareme_year": 2026,
        "carrier_kind": "association",
        "collectives_agreed": 1,
        "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
    }


@pytest.mark.parametrize("attr", ["carrier_user", "advisor", "processor", "committee", "caf_admin"])
def test_dashboard_and_project_list(client, loire, attr):
    user = getattr(loire, attr)
    client.force_login(user)
    urls = [reverse("home"), reverse("projects:list")]
    before = [count(client, url) for url in urls]
    grow_projects(loire)
    assert [count(client, url) for url in urls] == before


def test_review_queue(client, loire):
    client.force_login(loire.advisor)
    loire.project.status = ProjectStatus.SUBMITTED
    loire.project.save()
    url = reverse("committee:queue")
    before = count(client, url)
    grow_projects(loire)
    assert count(client, url) == before


def test_carrier_list_and_detail(client, loire):
    client.force_login(loire.advisor)
    urls = [
        reverse("projects:carrier_list"),
        reverse("projects:carrier_detail", args=[loire.carrier.pk]),
    ]
    before = [count(client, url) for url in urls]
    for _ in range(GROW):
        carrier = CarrierFactory(commune=loire.carrier.commune)
        ProjectFactory(carrier=carrier, campaign=loire.project.campaign)
        CarrierMembership.objects.create(carrier=loire.carrier, user=UserFactory())
    grow_projects(loire)
    assert [count(client, url) for url in urls] == before
    assert Carrier.objects.count() > GROW


def test_project_detail_and_review_page(client, loire):
    project = loire.project
    urls_by_user = {
        loire.carrier_user: [
            reverse("projects:detail", args=[project.pk]),
            reverse("projects:step", args=[project.pk, "collectifs"]),
            reverse("projects:step", args=[project.pk, "recapitulatif"]),
        ],
        loire.advisor: [reverse("committee:review", args=[project.pk])],
    }
    before = {}
    for user, urls in urls_by_user.items():
        client.force_login(user)
        before[user] = [count(client, url) for url in urls]
    for index in range(GROW):
        CollectiveFactory(project=project)
        ProjectEvent.objects.create(project=project, actor=loire.advisor, action="submit")
        ProjectMessage.objects.create(project=project, author=loire.advisor, body=f"m{index}")
        ReviewNote.objects.create(project=project, author=loire.advisor, body=f"n{index}")
    for user, urls in urls_by_user.items():
        client.force_login(user)
        assert [count(client, url) for url in urls] == before[user], user.role


def test_committee_session_and_figures(client, loire):
    session = CommitteeSession.objects.create(
        caf=loire.caf,
        campaign=loire.project.campaign,
        date=datetime.date(2026, 10, 14),
        place="Caf",
    )
    loire.project.status = ProjectStatus.APPROVED
    loire.project.save()
    AgendaItem.objects.create(session=session, project=loire.project)
    client.force_login(loire.committee)
    urls = [
        reverse("committee:session_detail", args=[session.pk]),
        reverse("committee:session_list"),
        reverse("declarations:figures"),
    ]
    before = [count(client, url) for url in urls]
    for index, project in enumerate(grow_projects(loire, ProjectStatus.APPROVED)):
        item = AgendaItem.objects.create(session=session, project=project, position=index + 1)
        computation = store_computation(data=case(project), kind="forecast", project=project)
        Decision.objects.create(
            item=item,
            outcome="approved",
            collectives_retained=1,
            forecast_ps=2811.90,
            computation=computation,
        )
    assert [count(client, url) for url in urls] == before


def test_declarations_payments_and_audit(client, loire):
    def make(project):
        computation = store_computation(data=case(project), kind="forecast", project=project)
        declaration = Declaration.objects.create(
            project=project, kind="forecast", collectives=1, weeks=30, status="submitted"
        )
        Payment.objects.create(
            project=project,
            declaration=declaration,
            kind="advance_1",
            amount=984.16,
            status="to_pay",
            computation=computation,
        )
        ProjectEvent.objects.create(project=project, actor=loire.processor, action="submit")

    make(loire.project)
    client.force_login(loire.processor)
    urls = [reverse("declarations:queue"), reverse("declarations:payments")]
    before = [count(client, url) for url in urls]
    client.force_login(loire.caf_admin)
    audit_before = count(client, reverse("audit"))
    for project in grow_projects(loire, ProjectStatus.APPROVED):
        make(project)
    client.force_login(loire.processor)
    assert [count(client, url) for url in urls] == before
    client.force_login(loire.caf_admin)
    assert count(client, reverse("audit")) == audit_before
    assert OutboundEmail.objects.count() == 0


def test_declaration_pages(client, loire):
    from declarations.models import DeclarationLine, Justification

    loire.project.status = ProjectStatus.APPROVED
    loire.project.agreed_collectives = 1
    loire.project.save()
    declaration = Declaration.objects.create(
        project=loire.project, kind="forecast", collectives=1, weeks=30, status="submitted"
    )
    urls = {
        loire.carrier_user: reverse("declarations:edit", args=[declaration.pk]),
        loire.processor: reverse("declarations:process", args=[declaration.pk]),
    }
    before = {}
    for user, url in urls.items():
        client.force_login(user)
        before[user] = count(client, url)
    for index in range(GROW):
        DeclarationLine.objects.create(declaration=declaration, account=f"6{index:02d}", amount=10)
        Justification.objects.create(
            declaration=declaration, code=f"code{index}", field="weeks", text="x"
        )
    for user, url in urls.items():
        client.force_login(user)
        assert count(client, url) == before[user], user.role


def test_campaign_and_bareme_lists(client, loire):
    from decimal import Decimal

    from funding.models import Bareme
    from projects.models import Campaign, DocumentType

    client.force_login(loire.caf_admin)
    urls = [reverse("projects:campaign_list"), reverse("funding:bareme_list")]
    before = [count(client, url) for url in urls]
    # What each page lists: the Caf's campaigns and requested documents; the barème years.
    day = datetime.date(2026, 1, 5)
    for index in range(GROW):
        year = 2030 + index
        Campaign.objects.create(caf=loire.caf, year=year, opens_on=day, closes_on=day)
        DocumentType.objects.create(caf=loire.caf, name=f"Pièce {index}")
        amounts = {"ceiling": Decimal("8652"), "bonus_children": 335, "bonus_parents": 335}
        Bareme.objects.create(year=year, rate=Decimal("0.325"), **amounts)
    assert [count(client, url) for url in urls] == before
    campaigns, baremes = (client.get(url).content.decode() for url in urls)
    last = 2030 + GROW - 1
    assert f"{last}/{last + 1}" in campaigns and f"Pièce {GROW - 1}" in campaigns
    assert f"<td>{last}</td>" in baremes


def test_attachment_and_budget_steps(client, loire):
    from projects.models import Attachment, BudgetLine

    from .request_helpers import pdf_upload

    client.force_login(loire.carrier_user)
    urls = [
        reverse("projects:step", args=[loire.project.pk, slug])
        for slug in ("pieces", "budget", "structure", "bonus")
    ]
    before = [count(client, url) for url in urls]
    for index in range(GROW):
        Attachment.objects.create(
            project=loire.project,
            file=pdf_upload(),
            original_name=f"piece{index}.pdf",
            content_type="application/pdf",
            size=10,
        )
        BudgetLine.objects.create(project=loire.project, account=f"6{index:02d}", amount=10)
    assert [count(client, url) for url in urls] == before


def test_team_page(client, loire):
    from .factories import staff_user

    client.force_login(loire.caf_admin)
    url = reverse("team")
    before = count(client, url)
    for _ in range(GROW):
        staff_user(loire.caf, territories=[loire.territory])
    assert count(client, url) == before
