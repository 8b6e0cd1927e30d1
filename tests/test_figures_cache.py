"""The figures of a campaign at work are cached too (declarations/figures_cache.py), forgotten
whenever one of the rows they are computed from is saved or deleted; and every bulk `update()`
of the portal, which sends no signal, is listed here with what it sets."""

import ast
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committee.models import Decision
from declarations import figures, figures_cache
from declarations.models import Payment
from funding.services import store_computation
from projects.models import Project

from .test_figures_computation import CASE, _plain, reference_compute, varied_campaign

pytestmark = pytest.mark.django_db


def figures_queries(queries):
    return [q for q in queries if "WITH approved AS" in q["sql"]]


def test_a_campaign_at_work_is_cached_until_its_rows_change(loire):
    live = varied_campaign(loire.caf, 2025, random.Random(8))
    assert live.archived_at is None
    before = figures.compute([live])
    with CaptureQueriesContext(connection) as again:
        assert _plain(*figures.compute([live])) == _plain(*before)
    assert figures_queries(again.captured_queries) == []

    # A payment made: the cached figures are forgotten, the new ones are the reference's.
    project = Project.objects.filter(campaign=live, status="approved").first()
    Payment.objects.create(
        project=project,
        declaration=project.declarations.get(kind="forecast"),
        kind="advance_2",
        amount=Decimal("1000.00"),
        status="paid",
        computation=store_computation(data=CASE, kind="forecast"),
    )
    after = figures.compute([live])
    assert after[0][live.pk].paid == before[0][live.pk].paid + Decimal("1000.00")
    assert _plain(*after) == _plain(*reference_compute([live]))

    # A committee decision changed: forgotten again, through the agenda item's project.
    decision = Decision.objects.filter(item__project__campaign=live, outcome="approved").first()
    decision.collectives_retained += 1
    decision.save()
    assert _plain(*figures.compute([live])) == _plain(*reference_compute([live]))


def test_live_and_archived_campaigns_are_kept_for_their_own_time(loire, monkeypatch):
    kept = []
    monkeypatch.setattr(
        "django.core.cache.cache.set_many", lambda values, timeout: kept.append(timeout)
    )
    live = varied_campaign(loire.caf, 2025, random.Random(9), projects=3)
    figures.compute([live])
    assert kept == [figures_cache.LIVE_TIMEOUT]


# Every queryset update() of the portal's code and the fields it sets. None of these fields is
# read by the figures (FIGURES_SQL, financer_figures), or the code forgets the figures itself,
# or a save follows that sends the signal. A new bulk update fails this test: check what it
# sets, call figures_cache.forget_campaigns if the figures read it, then add it here.
REVIEWED_UPDATES = {
    ("clasportal/notices.py", ("read_at",)),
    # Followed by services.submit(actual), which saves the declaration (the signal forgets).
    (
        "clasportal/management/demo_consequences.py",
        (
            "actions_run",
            "boys",
            "children",
            "children_elementaire",
            "families",
            "girls",
            "presences",
            "sessions_held",
        ),
    ),
    ("projects/conventions.py", ("convention",)),
    ("projects/views/request.py", ("version",)),
    ("projects/views/request.py", ("engaged_as", "engaged_at", "engaged_by", "engagements")),
    ("declarations/agreement_cascade.py", ("project_approved",)),
    ("declarations/reminders.py", ("emailed_at",)),
    ("declarations/management/commands/clas_retention.py", ("is_active",)),
    ("declarations/management/commands/clas_retention.py", ("receipt",)),
    ("committee/tasks.py", ()),
    ("committee/tasks.py", ("error", "status")),
}


def bulk_updates():
    found = set()
    root = Path(settings.BASE_DIR)
    for app in ("clasportal", "projects", "declarations", "committee", "funding"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "update"
                    and node.keywords
                ):
                    continue
                receiver = ast.unparse(node.func.value)
                if any(mark in receiver for mark in ("objects", "filter(", "exclude(")) or (
                    receiver.endswith("queryset")
                ):
                    fields = tuple(sorted(k.arg for k in node.keywords if k.arg))
                    found.add((str(path.relative_to(root)), fields))
    return found


def test_every_bulk_update_was_reviewed_for_the_figures():
    found = bulk_updates()
    assert ("projects/views/request.py", ("version",)) in found  # the scan sees them
    assert found - REVIEWED_UPDATES == set()
