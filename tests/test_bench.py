"""The benchmark's own pieces: the national seed's large Caf and open committees, the floor page
and the CPU header that only the bench settings load (clasportal/bench.py)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings

from clasportal.models import Caf
from committee.models import AgendaItem, CommitteeSession
from projects.models import Project, ProjectStatus

from .factories import CarrierFactory

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
