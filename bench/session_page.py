"""The committee session page's CPU and queries, measured in process (issue 21; see bench/README,
"Session page"). Not part of the suite (it lives in bench/); run explicitly, with the suite's
fixtures:

    bash scripts/with-postgres.sh .venv/bin/python -m pytest -q -s -p no:randomly \\
        -p tests.conftest bench/session_page.py

It seeds an open session of 300 items (4 financers with 2 schemes each, requests and decisions,
11 members, attendance) and a closed one of 400, then prints for the committee member and the
Caf administrator the median CPU (`time.process_time`, PERF_RUNS runs after 3 warm-ups) of the
floor page and of pages 1 and 7/9 of each session, with the ratio to the floor and the SQL count
(the test's count: 4 more than the bench's, its savepoints and session). PERF_PROFILE="committee:open
p1,…" adds a CPU profile of those pages; PERF_DUMP=dir writes their HTML (CSRF tokens and times
blanked) to compare two trees' markup."""

import cProfile
import datetime
import os
import pstats
import statistics
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.models import (
    AgendaItem,
    Attendance,
    CommitteeSession,
    Decision,
    Envelope,
    ExportJob,
    FinancerDecision,
    FinancingScheme,
    PartnerAccount,
    PartnerOrganisation,
    SchemeRequest,
)
from projects.models import BudgetLine, Collective, Project, ProjectStatus

from .factories import CarrierFactory, CollectiveFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
ITEMS = int(os.environ.get("PERF_ITEMS", "300"))
RUNS = int(os.environ.get("PERF_RUNS", "15"))


def seed(world):
    caf, campaign = world.caf, world.project.campaign
    partners, schemes = [], []
    for n, kind in enumerate(["msa", "departement", "ddets", "commune"]):
        p = PartnerOrganisation.objects.create(caf=caf, kind=kind, name=f"Partenaire {n}")
        partners.append(p)
        Envelope.objects.create(caf=caf, campaign=campaign, partner=p, amount=Decimal("50000"))
        for m in range(2):
            schemes.append(
                FinancingScheme.objects.create(
                    partner=p,
                    campaign=campaign,
                    name=f"Dispositif {n}.{m}",
                    rule=FinancingScheme.Rule.FREE,
                )
            )
    Envelope.objects.create(caf=caf, campaign=campaign, partner=None, amount=Decimal("900000"))
    members = [world.committee]
    for n in range(10):
        user = UserFactory()
        PartnerAccount.objects.create(user=user, organisation=partners[n % 4])
        members.append(user)
    for _ in range(50):
        CarrierFactory(commune=world.carrier.commune)

    def session(status, count, decided, project_status):
        s = CommitteeSession.objects.create(
            caf=caf,
            campaign=campaign,
            date=datetime.date(2026, 10, 14),
            place="Épinal",
            status=status,
            created_by=world.caf_admin,
        )
        s.members.set(members)
        for i, m in enumerate(members[:6]):
            Attendance.objects.create(session=s, user=m, status=["present", "excused"][i % 2])
        for kind in ("agrement_pdf", "agrement_xlsx"):
            ExportJob.objects.create(
                session=s, kind=kind, status="done", created_by=world.caf_admin
            )
        carriers = [CarrierFactory(commune=world.carrier.commune) for _ in range(20)]
        for i in range(count):
            project = ProjectFactory(
                carrier=carriers[i % 20], campaign=campaign, status=project_status
            )
            Collective.objects.bulk_create(
                [CollectiveFactory.build(project=project) for _ in range(2)]
            )
            item = AgendaItem.objects.create(session=s, project=project, position=i)
            BudgetLine.objects.create(project=project, account="74", financer="caf", amount=3000)
            for scheme in schemes[i % 3 :: 3][:2]:
                SchemeRequest.objects.create(project=project, scheme=scheme, amount=500)
                if i % 2:
                    FinancerDecision.objects.create(
                        project=project,
                        item=item,
                        partner=scheme.partner,
                        scheme=scheme,
                        outcome="granted",
                        amount=500,
                    )
            if decided(i):
                Decision.objects.create(
                    item=item,
                    outcome="approved",
                    collectives_retained=2,
                    forecast_ps=Decimal("2811.90"),
                    reason="Bon projet",
                )
        return s

    open_ = session("open", ITEMS, lambda i: i % 3 == 0, ProjectStatus.PROPOSED)
    closed = session(
        "closed", 400 if ITEMS >= 300 else ITEMS, lambda i: True, ProjectStatus.APPROVED
    )
    # Candidates waiting for the open session.
    for _ in range(20):
        ProjectFactory(carrier=world.carrier, campaign=campaign, status=ProjectStatus.PROPOSED)
    return open_, closed


def measure(client, url, runs=RUNS):
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        t = time.process_time()
        client.get(url)
        times.append((time.process_time() - t) * 1000)
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    return statistics.median(times), len(q.captured_queries)


def test_measure(client, vosges, settings, monkeypatch):
    from django.template.base import Template
    from django.test.utils import _TestState

    # Without the test runner's per-template signal: the page as a server renders it.
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    settings.ROOT_URLCONF = "clasportal.bench"
    open_, closed = seed(vosges)
    assert Project.objects.count() > ITEMS
    pages = {
        "floor": "/bench/plancher/",
        "open p1": reverse("committee:session_detail", args=[open_.pk]),
        "open p7": reverse("committee:session_detail", args=[open_.pk]) + "?page=7",
        "closed p1": reverse("committee:session_detail", args=[closed.pk]),
        "closed p9": reverse("committee:session_detail", args=[closed.pk]) + "?page=9",
    }
    dump = os.environ.get("PERF_DUMP")
    for who in ("committee", "caf_admin"):
        client.force_login(getattr(vosges, who))
        if dump:
            import re

            for name, url in pages.items():
                html = client.get(url).content.decode()
                html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", html)
                html = re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "WHEN", html)
                with open(f"{dump}/{who}-{name.replace(' ', '_')}.html", "w") as out:
                    out.write(html)
            continue
        floor = None
        for name, url in pages.items():
            ms, queries = measure(client, url)
            floor = floor or ms
            print(f"{who:10} {name:10} {ms:7.1f} ms  ×{ms / floor:5.1f}  {queries} SQL")
    for target in filter(None, os.environ.get("PERF_PROFILE", "").split(",")):
        who, name = target.split(":")
        print("=" * 30, who, name)
        client.force_login(getattr(vosges, who))
        url = pages[name]
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        for query in q.captured_queries:
            print(f"{float(query['time']) * 1000:6.1f} ms  {query['sql'][:220]}")
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(5):
            client.get(url)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("cumulative").print_stats(r"session/(committee|clasportal|projects)/", 40)
        stats.sort_stats("tottime").print_stats(30)
