"""A bonus asked during the year (Loire form): the carrier of an agreed project asks before its
forecast, the advisor grants or refuses it from the review page (listed in the queue), traced
and notified; once granted, the forecast carries it and the engine counts it."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from committee import bonus_requests
from committee.models import Decision, InYearBonusRequest
from declarations import services as declarations
from funding.services import compute_from_data
from projects.models import ProjectEvent

from .declaration_helpers import approve

pytestmark = pytest.mark.django_db

FORM = {
    "bonus": "children",
    "collectives": "1",
    "description": "Fil rouge théâtre toute l'année avec une compagnie locale.",
    "equipment_cost": "",
    "speakers_cost": "1 200,50",
    "outings_cost": "300",
}


@pytest.fixture
def approved(loire):
    return approve(loire)


def ask(client, world, project, **overrides):
    client.force_login(world.carrier_user)
    url = reverse("committee:bonus_request_create", args=[project.pk])
    return client.post(url, {**FORM, **overrides})


def test_carrier_asks_advisor_grants_and_the_forecast_counts_it(
    client, loire, approved, django_capture_on_commit_callbacks
):
    forecast = declarations.open_declaration(approved, "forecast", by=loire.carrier_user)
    _case, before = compute_from_data(declarations.funding_case(forecast))
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, loire, approved)
    assert response.status_code == 302
    bonus_request = InYearBonusRequest.objects.get()
    assert bonus_request.speakers_cost == Decimal("1200.50")
    assert bonus_request.extra_cost == Decimal("1500.50")
    assert mail.outbox[-1].to == [loire.advisor.email]
    assert ProjectEvent.objects.filter(project=approved, action="bonus_requested").exists()
    client.force_login(loire.advisor)
    queue = client.get(reverse("committee:queue")).content.decode()
    assert "Bonus demandés en cours" in queue and "1 collectif</span>" in queue
    review = client.get(reverse("committee:review", args=[approved.pk])).content.decode()
    assert "Fil rouge théâtre" in review and "1\u202f500,50" in review
    url = reverse("committee:bonus_request_decide", args=[bonus_request.pk])
    response = client.post(url, {"granted": "1", "reason": ""}, follow=True)
    assert "Indiquez le motif de la décision." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"granted": "1", "reason": "Projet culturel structuré"})
    bonus_request.refresh_from_db()
    approved.refresh_from_db()
    forecast.refresh_from_db()
    assert bonus_request.status == "granted" and bonus_request.decided_by == loire.advisor
    assert approved.bonus_children_granted and approved.bonus_children_collectives == 1
    assert Decision.objects.get(item__project=approved).bonus_children_retained
    assert forecast.bonus_children_collectives == 1
    event = ProjectEvent.objects.get(project=approved, action="grant_bonus", data__request__gt=0)
    assert event.data["before"] is False and event.data["after"] is True
    assert "demandé en cours d'année" in event.note
    assert mail.outbox[-1].to == [loire.carrier_user.email]
    assert "Déclarez ses collectifs concernés" in mail.outbox[-1].body
    # The engine counts the bonus: one collective at the year's children bonus.
    case, after = compute_from_data(declarations.funding_case(forecast))
    assert after.forecast.right - before.forecast.right == case.bareme.bonus_children
    assert after.forecast.bonus_children == case.bareme.bonus_children
    # Granted: it cannot be asked again.
    page = ask(client, loire, approved).content.decode()
    assert InYearBonusRequest.objects.count() == 1
    assert "Bonus « parents »" in page and 'value="children"' not in page


def test_bad_input_is_explained_and_kept(client, loire, approved):
    response = ask(
        client,
        loire,
        approved,
        speakers_cost="-3",
        outings_cost="",
        collectives="4",
        description="",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un montant ne peut pas être négatif." in page
    assert "Le bonus concerne au plus le collectif agréé du projet." in page
    assert "Décrivez le projet organisé sur toute l&#x27;année." in page
    response = ask(client, loire, approved, speakers_cost="", outings_cost="")
    assert "Le bonus « enfants » demande au moins un surcoût" in response.content.decode()
    response = ask(client, loire, approved, bonus="parents", speakers_cost="")
    assert "Le bonus « parents » demande des intervenants extérieurs" in (response.content.decode())
    assert not InYearBonusRequest.objects.exists()


def test_too_late_once_the_forecast_is_sent_and_refusal(client, loire, approved):
    ask(client, loire, approved, bonus="parents", specific_actions="Ateliers Pronote")
    parents = InYearBonusRequest.objects.get()
    assert parents.equipment_cost == 0 and parents.specific_actions == "Ateliers Pronote"
    forecast = declarations.open_declaration(approved, "forecast", by=loire.carrier_user)
    found = declarations.findings(forecast)
    declarations.submit(
        forecast.pk, by=loire.carrier_user, justifications={(f.code, f.field): "ok" for f in found}
    )
    page = ask(client, loire, approved).content.decode()
    assert "il est trop tard pour cette année" in page
    assert InYearBonusRequest.objects.count() == 1
    # Granting what the forecast never declared is refused; refusing is still possible.
    with pytest.raises(bonus_requests.BonusRequestError, match="trop tard"):
        bonus_requests.decide(parents.pk, by=loire.advisor, granted=True, reason="ok")
    bonus_requests.decide(parents.pk, by=loire.advisor, granted=False, reason="Hors délai")
    parents.refresh_from_db()
    approved.refresh_from_db()
    assert parents.status == "refused" and not approved.bonus_parents_granted
    with pytest.raises(bonus_requests.BonusRequestError, match="déjà décidée"):
        bonus_requests.decide(parents.pk, by=loire.advisor, granted=False, reason="x")


def test_who_asks_and_who_decides(client, loire, vosges, approved):
    ask(client, loire, approved)
    bonus_request = InYearBonusRequest.objects.get()
    for user in (loire.processor, loire.committee):
        with pytest.raises(bonus_requests.BonusRequestError):
            bonus_requests.decide(bonus_request.pk, by=user, granted=True, reason="ok")
    with pytest.raises(bonus_requests.BonusRequestError):
        bonus_requests.request_bonus(
            approved.pk,
            by=loire.advisor,
            fields={"bonus": "parents", "collectives": 1, "description": "x"},
        )
    client.force_login(loire.other_carrier_user)
    url = reverse("committee:bonus_request_create", args=[approved.pk])
    assert client.get(url).status_code == 404
    client.force_login(vosges.advisor)
    decide = reverse("committee:bonus_request_decide", args=[bonus_request.pk])
    assert client.post(decide, {"granted": "1", "reason": "x"}).status_code == 404
    # A project still under review asks through its request, not this form.
    client.force_login(loire.other_carrier_user)
    assert bonus_requests.why_not(loire.other_project) is not None
