"""Irreversible actions ask first (issue 20): deposit, closing a committee and validating a right
answer a confirmation page with what will happen; nothing changes until `confirm=1`. A session
cannot be closed before its date, and its letters carry the real dates."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from committee import exports
from committee import sessions as service
from committee.models import CommitteeSession
from committee.review import propose
from projects import workflow
from projects.models import ProjectStatus

from .declaration_helpers import approve
from .request_helpers import deposit_data, make_complete

pytestmark = pytest.mark.django_db


def test_deposit_asks_for_confirmation_then_deposits(client, loire):
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    url = reverse("projects:submit", args=[loire.project.pk])
    page = client.post(url, deposit_data(confirm=False)).content.decode()
    assert "Ce qui va se passer" in page and "Confirmer le dépôt" in page
    assert "récépissé" in page and 'name="confirm" value="1"' in page
    assert "Annuler" in page
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.DRAFT
    client.post(url, deposit_data())
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.SUBMITTED


def test_an_incomplete_deposit_says_what_is_missing_without_asking(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(reverse("projects:submit", args=[loire.project.pk]), follow=True)
    page = response.content.decode()
    assert "La demande est incomplète" in page and "Ce qui va se passer" not in page


@pytest.fixture
def decided_session(loire):
    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    propose(loire.project.pk, by=loire.advisor, favourable=True, collectives=1)
    session = CommitteeSession.objects.create(
        caf=loire.caf,
        campaign=loire.project.campaign,
        date=timezone.localdate() - datetime.timedelta(days=1),
        place="Saint-Étienne",
    )
    session.members.add(loire.committee)
    service.add_to_agenda(session, [loire.project], by=loire.caf_admin)
    item = session.items.get()
    service.record_decision(item.pk, by=loire.committee, outcome="approved", collectives=1)
    return session


def test_closing_a_session_asks_for_confirmation(client, loire, decided_session):
    client.force_login(loire.caf_admin)
    url = reverse("committee:session_close", args=[decided_session.pk])
    page = client.post(url).content.decode()
    assert "Confirmer la clôture" in page and "1 agréé" in page
    decided_session.refresh_from_db()
    assert decided_session.is_open
    client.post(url, {"confirm": "1"})
    decided_session.refresh_from_db()
    assert not decided_session.is_open


def test_a_session_cannot_close_before_its_date(client, loire, decided_session):
    decided_session.date = timezone.localdate() + datetime.timedelta(days=21)
    decided_session.save()
    client.force_login(loire.caf_admin)
    detail = client.get(reverse("committee:session_detail", args=[decided_session.pk]))
    assert "il pourra être clos à partir de cette date" in detail.content.decode()
    for data in ({}, {"confirm": "1"}):
        response = client.post(
            reverse("committee:session_close", args=[decided_session.pk]), data, follow=True
        )
        page = response.content.decode()
        assert f"Ce comité se réunit le {decided_session.date:%d/%m/%Y}" in page
    decided_session.refresh_from_db()
    assert decided_session.is_open
    with pytest.raises(service.SessionError):
        service.close_session(decided_session.pk, by=loire.caf_admin)


def test_letters_carry_the_session_date_and_the_closing_date(loire, decided_session):
    decided_session.date = timezone.localdate() - datetime.timedelta(days=3)
    decided_session.save()
    closed = service.close_session(decided_session.pk, by=loire.caf_admin)
    assert exports.letter_date(closed) == timezone.localdate(closed.closed_at)
    assert exports.letter_date(closed) >= closed.date
    # Before closing, a letter is never dated before the session met.
    future = CommitteeSession(date=timezone.localdate() + datetime.timedelta(days=5))
    assert exports.letter_date(future) == future.date


def test_validating_a_right_asks_for_confirmation(client, loire):
    from declarations import services as declarations
    from declarations.models import Declaration

    project = approve(loire)
    forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
    Declaration.objects.filter(pk=forecast.pk).update(status="submitted")
    client.force_login(loire.processor)
    url = reverse("declarations:validate", args=[forecast.pk])
    page = client.post(url).content.decode()
    assert "Confirmer la validation" in page and "Le droit est calculé" in page
    forecast.refresh_from_db()
    assert forecast.status == "submitted"
