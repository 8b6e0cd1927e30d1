"""The figures of a campaign at work are cached too (declarations/figures_cache.py), forgotten
whenever one of the rows they are computed from is saved or deleted; and every bulk `update()`
of the portal, which sends no signal, is listed here with what it sets."""

import ast
import random
from collections import Counter
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
    live = varied_campaign(loire.caf, 2025, random.Random(9), projects=3)
    kept = []
    monkeypatch.setattr(
        "django.core.cache.cache.set_many", lambda values, timeout: kept.append(timeout)
    )
    figures.compute([live])
    assert kept == [figures_cache.LIVE_TIMEOUT]


def test_a_computation_overtaken_by_a_change_is_never_served(loire):
    """A visit reads the rows, a change lands (and commits) while it adds them up: what it
    computed is stored under the old generation and the next visit computes again."""
    campaign = loire.project.campaign
    calls = []

    def compute(ids):
        calls.append(ids)
        if len(calls) == 1:
            figures_cache.forget_campaigns(campaign.pk)  # the change, during the computation
        return {campaign.pk: len(calls)}

    assert figures_cache.per_campaign("figures", [campaign], compute) == {campaign.pk: 1}
    assert figures_cache.per_campaign("figures", [campaign], compute) == {campaign.pk: 2}
    assert figures_cache.per_campaign("figures", [campaign], compute) == {campaign.pk: 2}
    assert len(calls) == 2


def test_a_change_forgets_again_when_it_commits(loire, django_capture_on_commit_callbacks):
    campaign = loire.project.campaign
    figures_cache.per_campaign("figures", [campaign], lambda ids: {campaign.pk: "avant"})
    with django_capture_on_commit_callbacks() as callbacks:
        figures_cache.forget_campaigns(campaign.pk)
    # Recomputed between the change and its commit (from the rows before it) ...
    figures_cache.per_campaign("figures", [campaign], lambda ids: {campaign.pk: "pendant"})
    for callback in callbacks:
        callback()  # ... the commit makes that value unreachable too.
    after = figures_cache.per_campaign("figures", [campaign], lambda ids: {campaign.pk: "après"})
    assert after == {campaign.pk: "après"}


# Every update() with named values and every bulk_update() of the portal's code (a queryset's
# or a dict's: the scan cannot tell them apart), with what it sets, as many times as it occurs.
# None sets what the figures read, or a save follows that sends the signal, or it runs before
# any page (seeding). A new one, or one more of the same, fails this test: check what it sets,
# call figures_cache.forget_campaigns if the figures read it, then add it here.
REVIEWED_UPDATES = Counter(
    {
        ("clasportal/notices.py", "update", ("read_at",)): 1,
        ("clasportal/referential.py", "update", ("checked", "errors", "preview", "totals")): 1,
        # Followed by services.submit(actual), which saves the declaration (the signal forgets).
        (
            "clasportal/management/demo_consequences.py",
            "update",
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
        ): 1,
        # The national bench data, loaded before any page is served.
        ("clasportal/management/commands/seed_national.py", "bulk_update", ("status",)): 1,
        (
            "clasportal/management/commands/seed_national.py",
            "bulk_update",
            ("agreed_collectives",),
        ): 1,
        ("projects/conventions.py", "update", ("convention",)): 2,
        ("projects/views/request.py", "update", ("version",)): 2,
        (
            "projects/views/request.py",
            "update",
            ("engaged_as", "engaged_at", "engaged_by", "engagements"),
        ): 1,
        ("projects/forms/manage.py", "update", ("max", "min")): 1,
        ("declarations/agreement_cascade.py", "update", ("project_approved",)): 1,
        ("declarations/reminders.py", "update", ("emailed_at",)): 1,
        (
            "declarations/views/bilans.py",
            "update",
            (
                "can_manage",
                "expected_count",
                "page",
                "question_form",
                "questions",
                "rows",
                "settings_form",
                "submitted",
            ),
        ): 1,
        ("declarations/management/commands/clas_retention.py", "update", ("is_active",)): 1,
        ("declarations/management/commands/clas_retention.py", "update", ("receipt",)): 1,
        ("committee/tasks.py", "update", ("**",)): 1,  # an export job's own progress fields
        ("committee/tasks.py", "update", ("rows_done", "rows_total")): 1,
        ("committee/tasks.py", "update", ("error", "status")): 1,
    }
)


def _set_fields(node):
    if node.func.attr == "bulk_update":
        listed = [a for a in node.args[1:2] if isinstance(a, ast.List | ast.Tuple)]
        return tuple(sorted(ast.literal_eval(listed[0]))) if listed else ("?",)
    return tuple(sorted(k.arg or "**" for k in node.keywords))


def bulk_updates():
    found = Counter()
    root = Path(settings.BASE_DIR)
    for app in ("clasportal", "projects", "declarations", "committee", "funding"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and (
                        node.func.attr == "bulk_update"
                        or (node.func.attr == "update" and node.keywords)
                    )
                ):
                    found[(str(path.relative_to(root)), node.func.attr, _set_fields(node))] += 1
    return found


def test_every_bulk_update_was_reviewed_for_the_figures():
    found = bulk_updates()
    assert found[("projects/views/request.py", "update", ("version",))] == 2  # the scan sees
    assert found == REVIEWED_UPDATES
