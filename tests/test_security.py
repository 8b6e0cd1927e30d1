"""Lockout, concurrency on PostgreSQL, degraded mode with the broker down, stale edits."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.urls import reverse

from clasportal.models import OutboundEmail
from committee.models import CommitteeSession, ExportJob
from projects import workflow
from projects.models import ProjectEvent, ProjectStatus

from .factories import PASSWORD
from .request_helpers import make_complete


@pytest.mark.django_db
def test_login_locks_after_repeated_failures(client, loire, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.utils import reset

    reset()
    for _ in range(3):
        client.post(reverse("login"), {"username": loire.carrier_user.email, "password": "faux"})
    response = client.post(
        reverse("login"), {"username": loire.carrier_user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    reset()


@pytest.mark.django_db
def test_password_validators_refuse_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")


def run_concurrently(*callables):
    """Each callable in its own thread, so each uses its own PostgreSQL connection."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def runner(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", function())
        except Exception as exc:  # the losing side's error is the result we check
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_double_submission_from_two_connections_submits_once(loire):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    make_complete(loire.project)
    user = loire.carrier_user
    results = run_concurrently(
        lambda: workflow.submit(loire.project.pk, by=user),
        lambda: workflow.submit(loire.project.pk, by=user),
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert "déjà déposée" in error.message
    assert ProjectEvent.objects.filter(project=loire.project, action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_advisors_acting_at_once_one_wins_with_a_clear_message(loire):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    from committee.review import propose, request_changes

    results = run_concurrently(
        lambda: request_changes(
            loire.project.pk, by=loire.advisor, sections=["projet"], message="Précisez."
        ),
        lambda: propose(loire.project.pk, by=loire.advisor, favourable=True, collectives=1),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert error.message.startswith("Action impossible : le projet est au statut")
    loire.project.refresh_from_db()
    assert loire.project.status in (ProjectStatus.CHANGES_REQUESTED, ProjectStatus.PROPOSED)
    assert (
        ProjectEvent.objects.filter(project=loire.project)
        .exclude(action__in=["submit", "create"])
        .count()
        == 1
    )


@pytest.mark.django_db
def test_stale_step_is_refused_and_entries_kept(client, loire):
    client.force_login(loire.carrier_user)
    url = reverse("projects:step", args=[loire.project.pk, "projet"])
    version = loire.project.version
    first = client.post(url, {"title": "Onglet A", "version": version, "go": "save"})
    assert first.status_code == 302
    second = client.post(url, {"title": "Onglet B", "version": version, "go": "save"})
    assert second.status_code == 409
    text = second.content.decode()
    assert "modifiée entre-temps" in text and 'value="Onglet B"' in text
    loire.project.refresh_from_db()
    assert loire.project.title == "Onglet A"


@pytest.mark.django_db
def test_autosave_hands_the_new_version_back(client, loire):
    client.force_login(loire.carrier_user)
    url = reverse("projects:step", args=[loire.project.pk, "projet"])
    version = loire.project.version
    response = client.post(
        url, {"title": "T", "version": version, "autosave": "1"}, headers={"HX-Request": "true"}
    )
    assert f'name="version" value="{version + 1}"' in response.content.decode()
    again = client.post(
        url,
        {"title": "T2", "version": version + 1, "autosave": "1"},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200


@pytest.mark.django_db
def test_broker_down_keeps_emails_in_the_outbox(loire, django_capture_on_commit_callbacks):
    from clasportal.tasks import retry_outbound_emails, send_email

    make_complete(loire.project)
    with mock.patch.object(send_email, "delay", side_effect=ConnectionError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.submit(loire.project.pk, by=loire.carrier_user)
    assert OutboundEmail.objects.count() == 2  # the receipt, and the advisor's notice
    email = OutboundEmail.objects.get(subject__startswith="Récépissé")
    assert email.status == "pending"
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=email.created_at - __import__("datetime").timedelta(minutes=5)
    )
    retry_outbound_emails()  # the beat, once the broker is back (eager here)
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1
    send_email(email.pk)  # a duplicate delivery of the task sends nothing more
    email.refresh_from_db()
    assert email.attempts == 1


@pytest.mark.django_db
def test_broker_down_export_waits_and_says_so(client, loire):
    session = CommitteeSession.objects.create(
        caf=loire.caf, campaign=loire.project.campaign, date="2026-10-14", place="Caf"
    )
    client.force_login(loire.caf_admin)
    with mock.patch("committee.jobs.run_export.delay", side_effect=ConnectionError("redis down")):
        response = client.post(
            reverse("committee:export_start", args=[session.pk]),
            {"kind": "agrement_pdf"},
            follow=True,
        )
    text = response.content.decode()
    assert response.status_code == 200
    assert "sera relancé automatiquement" in text
    assert ExportJob.objects.get().status == "pending"


@pytest.mark.django_db
def test_pages_render_with_redis_down(client, loire, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client.force_login(loire.carrier_user)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 200
