"""The benchmark's own pieces: the national seed's large Caf and open committees, the floor page
and the CPU header that only the bench settings load (clasportal/bench.py)."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from clasportal.models import Caf
from committee.models import AgendaItem, CommitteeSession
from projects.models import Project, ProjectStatus

from .factories import CarrierFactory, CollectiveFactory, ProjectFactory

BENCH_MIDDLEWARE = ["clasportal.bench.ServerTimingMiddleware", *settings.MIDDLEWARE]


@pytest.mark.django_db
def test_national_seed_has_a_large_caf_and_open_committees():
    # 110 shares of 2 carriers: the large Caf (Nord) takes ten, each other Caf one.
    call_command(
        "seed_national",
        years=2,
        carriers=220,
        projects_per_year=440,
        agenda_items=30,
        verbosity=0,
    )
    per_caf = dict(
        Caf.objects.annotate(n=Count("campaigns__projects")).values_list("departement", "n")
    )
    assert per_caf["59"] == 10 * per_caf["62"] == 10 * per_caf["01"] == 80
    open_sessions = CommitteeSession.objects.filter(status="open")
    assert open_sessions.count() == Caf.objects.count()
    large = open_sessions.get(caf__departement="59")
    items = AgendaItem.objects.filter(session=large)
    assert items.count() == 30
    assert set(items.values_list("project__status", flat=True)) == {ProjectStatus.PROPOSED}
    assert set(items.values_list("project__campaign__year", flat=True)) == {2026}
    # The committee member of the Caf sits in it (the decision forms are on the page).
    assert list(large.members.values_list("email", flat=True)) == [
        f"committee-{large.caf.number}@national.clas.fr"
    ]
    # Every proposed project of the current campaign is on its Caf's open agenda, once.
    proposed = Project.objects.filter(campaign__year=2026, status=ProjectStatus.PROPOSED)
    assert AgendaItem.objects.filter(session__status="open").count() == proposed.count()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="clasportal.bench", MIDDLEWARE=BENCH_MIDDLEWARE)
def test_floor_page_lists_fifty_visible_carriers_in_one_query(
    client, loire, django_assert_num_queries
):
    for n in range(55):
        CarrierFactory(commune=loire.carrier.commune, legal_name=f"Structure {n:02d}")
    other = CarrierFactory(legal_name="AAA d'une autre Caf")
    client.force_login(loire.advisor)
    client.get("/bench/plancher/")  # the session's first read, the menu's
    response = client.get("/bench/plancher/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr><td>") == 50
    assert other.legal_name not in html and "Structure 00" in html
    assert 'class="navbar' in html  # inside the portal's base.html
    timing = response["Server-Timing"]
    cpu, wall, sql = (float(part.split("dur=")[1]) for part in timing.split(", "))
    assert 0 < cpu and 0 < wall and sql >= 1
    client.logout()
    assert client.get("/bench/plancher/").status_code == 302  # logged in only


def test_floor_page_is_not_in_production_urls():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/bench/plancher/")


def _tbody(html):
    body = re.search(r"<tbody[^>]*>(.*)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", body)).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["projects", "queue"])
def test_quick_rows_write_the_same_body_as_django_tables2(rf, loire, which):
    from django.template.loader import get_template

    from clasportal.lists import configure_table
    from committee.tables import QueueTable
    from projects.tables import ProjectTable

    ProjectFactory(
        carrier=loire.carrier,
        campaign=loire.project.campaign,
        title="Ateliers <du> soir & co",
        bonus_children_requested=True,
        bonus_children_granted=True,
        bonus_parents_requested=True,
        has_findings=True,
    )
    for n in range(3):
        CollectiveFactory(project=loire.project, planned_children=400 + n)  # 1 2xx: localized
    projects = Project.objects.visible_to(loire.advisor).for_list()
    table_class = ProjectTable if which == "projects" else QueueTable
    request = rf.get("/", {"sort": "-title"})
    request.user = loire.advisor
    quick, standard = table_class(projects), table_class(projects)
    for table in (quick, standard):
        configure_table(request, table, 25)
    assert quick.template_name == "includes/quick_table.html"
    ours = get_template(quick.template_name).render({"table": quick}, request)
    theirs = get_template("django_tables2/bootstrap5-responsive.html").render(
        {"table": standard}, request
    )
    assert _tbody(ours) == _tbody(theirs)
    assert "Ateliers &lt;du&gt; soir &amp; co" in ours
    assert ours.count("<tr ") == projects.count()  # one per project (the header has no attrs)
    empty = table_class(Project.objects.none().for_list())
    configure_table(request, empty, 25)
    assert _tbody(get_template(empty.template_name).render({"table": empty}, request)) == _tbody(
        get_template("django_tables2/bootstrap5-responsive.html").render(
            {"table": table_class(Project.objects.none().for_list())}, request
        )
    )


def _badge(html):
    found = re.search(r'text-bg-warning">(\d+)<', html)
    return int(found.group(1)) if found else 0


def _notice_counts(queries):
    return [q for q in queries if 'FROM "clasportal_notice"' in q["sql"] and "COUNT" in q["sql"]]


@pytest.mark.django_db
def test_unread_badge_is_cached_and_forgotten_when_notices_change(client, loire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from clasportal.models import Notice, NoticeKind

    user = loire.advisor
    kind = NoticeKind.values[0]
    Notice.objects.create(user=user, kind=kind, key="a", title="Premier", body="…")
    client.force_login(user)
    with CaptureQueriesContext(connection) as first:
        assert _badge(client.get(reverse("projects:list")).content.decode()) == 1
    # Counted once on a list page (the table's own template reran the context processors).
    assert len(_notice_counts(first.captured_queries)) == 1
    with CaptureQueriesContext(connection) as second:
        assert _badge(client.get(reverse("home")).content.decode()) == 1
    assert _notice_counts(second.captured_queries) == []  # from the cache
    other = Notice.objects.create(user=user, kind=kind, key="b", title="Second", body="…")
    assert _badge(client.get(reverse("home")).content.decode()) == 2  # saved: forgotten
    other.delete()
    assert _badge(client.get(reverse("home")).content.decode()) == 1  # deleted: forgotten
    Notice.objects.create(user=user, kind=kind, key="c", title="Troisième", body="…")
    assert _badge(client.get(reverse("home")).content.decode()) == 2
    client.post(reverse("notice_read_all"))  # a queryset update: forgotten by the view
    assert _badge(client.get(reverse("home")).content.decode()) == 0
    # Another person's notice leaves this person's badge alone, and theirs is their own.
    Notice.objects.create(user=loire.processor, kind=kind, key="d", title="À lui", body="…")
    assert _badge(client.get(reverse("home")).content.decode()) == 0


@pytest.mark.django_db
def test_bareme_is_cached_and_forgotten_when_a_bareme_changes(django_assert_num_queries):
    from decimal import Decimal

    from funding.models import Bareme
    from funding.services import bareme_for_year

    row = Bareme.objects.get(year=2026)
    with django_assert_num_queries(1):
        assert bareme_for_year(2026).rate == row.rate.normalize()
        assert bareme_for_year(2026) == bareme_for_year(2026)
        assert bareme_for_year(1990) is None
    row.rate = Decimal("0.3125")
    row.save()
    assert bareme_for_year(2026).rate == Decimal("0.3125")
    row.year = 2099  # a year moved: neither the old nor the new year is stale
    row.save()
    assert bareme_for_year(2026) is None
    assert bareme_for_year(2099).rate == Decimal("0.3125")
    row.delete()
    assert bareme_for_year(2099) is None


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="clasportal.bench", MIDDLEWARE=BENCH_MIDDLEWARE)
def test_the_person_comes_with_profile_and_caf_in_one_query(client, loire):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    loire.advisor.set_password("un mot de passe assez long")
    loire.advisor.save()
    assert client.login(username=loire.advisor.email, password="un mot de passe assez long")
    client.get("/bench/plancher/")
    with CaptureQueriesContext(connection) as page:
        response = client.get("/bench/plancher/")
    assert response.status_code == 200
    tables = " ".join(q["sql"] for q in page.captured_queries)
    assert 'FROM "clasportal_staffprofile"' not in tables
    assert 'FROM "clasportal_caf"' not in tables
