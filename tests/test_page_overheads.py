"""What every page pays for: the session write (at most every SESSION_REFRESH_SECONDS, not on
every page) and permission lookups (rules only, no Django permission tables)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clasportal import middleware

pytestmark = pytest.mark.django_db


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_pages_within_the_refresh_interval_write_nothing(client, loire, monkeypatch, settings):
    settings.SESSION_REFRESH_SECONDS = 300
    clock = [1_900_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.force_login(loire.advisor)
    assert client.get("/").status_code == 200  # first page: the stamp is written
    first = session_row(client).expire_date

    clock[0] += 299
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/projets/").status_code == 200
    assert writes(queries) == []
    assert session_row(client).expire_date == first

    clock[0] += 2  # 301 s after the stamp: the expiry moves forward
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/projets/").status_code == 200
    assert any("django_session" in sql for sql in writes(queries))
    assert session_row(client).expire_date > first


def test_a_visitor_without_a_session_gets_none(client):
    before = Session.objects.count()
    assert client.get("/connexion/").status_code == 200
    assert Session.objects.count() == before
    assert "sessionid" not in client.cookies


def test_a_stamp_from_the_future_or_garbage_is_rewritten(client, loire, monkeypatch):
    monkeypatch.setattr(middleware.time, "time", lambda: 1_900_000_000)
    client.force_login(loire.advisor)
    for bad in (2_000_000_000, "pas un nombre"):
        session = client.session
        session[middleware.SlidingSessionMiddleware.KEY] = bad
        session.save()
        assert client.get("/").status_code == 200
        assert client.session[middleware.SlidingSessionMiddleware.KEY] == 1_900_000_000


def test_a_session_idle_past_its_age_is_over(client, loire, settings):
    client.force_login(loire.advisor)
    assert client.get("/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )
    response = client.get("/projets/")
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def test_django_model_permissions_grant_nothing_and_cost_no_query(client, loire):
    """Every permission is a rule of clasportal/rules.py: a Django permission given by hand
    (admin, shell) opens nothing, and asking a denied permission reads no permission table."""
    from django.contrib.auth.models import Permission

    carrier = loire.carrier_user
    carrier.user_permissions.add(Permission.objects.get(codename="change_project"))
    carrier = type(carrier).objects.get(pk=carrier.pk)
    with CaptureQueriesContext(connection) as queries:
        assert not carrier.has_perm("projects.change_project")
        assert not carrier.has_perm("committee.view_queue")
    assert not [q for q in queries if "auth_permission" in q["sql"]]
    client.force_login(carrier)
    assert client.get("/comite/instruction/").status_code in (302, 403, 404)
