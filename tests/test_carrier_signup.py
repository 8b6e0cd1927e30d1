"""A structure the portal does not know asks for an account; the Caf of its department accepts
it (the carrier is created, its contact chooses a password and files as a new carrier) or
refuses it with a reason. A SIRET already known is sent to its Caf."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from clasportal.models import OutboundEmail
from projects.models import Carrier, CarrierSignup, Project, Situation

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/mot-de-passe/nouveau/\S+/)")
NEW_PASSWORD = "un-mot-de-passe-tout-neuf-2026"
SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def signup_data(caf, **more):
    return {
        "legal_name": "Association Les Petits Savants",
        "siret": "732 829 320 00074",
        "kind": "association",
        "address": "12 place de la Mairie",
        "commune_name": "Firminy",
        "departement": caf.departement,
        "first_name": "Alex",
        "last_name": "Durand",
        "email": "Alex.Durand@petits-savants.fr",
        "phone": "",
        "message": "Aide aux devoirs pour 20 enfants du quartier.",
        **more,
    }


def ask(client, caf, **more):
    client.logout()
    return client.post(reverse("projects:signup"), signup_data(caf, **more))


def test_sign_up_then_accept_then_the_new_carrier_files_a_project(
    client, loire, vosges, django_capture_on_commit_callbacks
):
    assert "Demander un compte porteur" in client.get(reverse("login")).content.decode()
    page = client.get(reverse("projects:signup")).content.decode()
    assert f"Caf {loire.caf.name}" in page and f"Caf {vosges.caf.name}" in page

    response = ask(client, loire.caf)
    assert "Demande envoyée à la Caf" in response.content.decode()
    signup = CarrierSignup.objects.get(siret=SIRET)
    assert signup.caf == loire.caf and signup.status == "pending"
    to_caf = OutboundEmail.objects.get(subject__startswith="Demande de compte porteur")
    assert set(to_caf.recipients) == {loire.advisor.email, loire.caf_admin.email}
    assert OutboundEmail.objects.filter(recipients=["alex.durand@petits-savants.fr"]).exists() or (
        OutboundEmail.objects.filter(recipients=["Alex.Durand@petits-savants.fr"]).exists()
    )

    # The Caf sees it on its dashboard; another Caf does not see it at all.
    client.force_login(loire.advisor)
    home = client.get(reverse("home")).content.decode()
    assert "Demandes de compte porteur (1)" in home and signup.legal_name in home
    client.force_login(vosges.caf_admin)
    assert client.get(reverse("projects:signup_detail", args=[signup.pk])).status_code == 404

    client.force_login(loire.advisor)
    page = client.get(reverse("projects:signup_detail", args=[signup.pk])).content.decode()
    assert "Accepter et inviter" in page
    commune = loire.carrier.commune
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:signup_detail", args=[signup.pk]),
            {"decision": "accept", "commune": commune.pk, "kind": "association"},
        )
    carrier = Carrier.objects.get(siret=SIRET)
    assert response.url == reverse("projects:carrier_detail", args=[carrier.pk])
    assert carrier.caf == loire.caf and carrier.commune == commune
    signup.refresh_from_db()
    assert signup.status == "accepted" and signup.carrier == carrier
    assert signup.decided_by == loire.advisor
    assert signup.history.first().history_change_reason == f"Acceptée par {loire.advisor}"
    assert carrier.history.get().history_user == loire.advisor

    # The contact chooses a password through the invitation e-mail, then files as a newcomer.
    invitation = mail.outbox[-1]
    assert "a accepté votre demande de compte" in invitation.body
    client.logout()
    form = client.get(LINK.search(invitation.body).group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert client.login(username="alex.durand@petits-savants.fr", password=NEW_PASSWORD)
    response = client.post(
        reverse("projects:create"),
        {
            "campaign": loire.project.campaign.pk,
            "situation": Situation.NEW_CARRIER,
            "title": "Coup de pouce aux devoirs",
            "previous": "",
        },
    )
    project = Project.objects.get(carrier=carrier)
    assert response.status_code == 302
    assert project.situation == Situation.NEW_CARRIER and project.campaign.caf == loire.caf

    # Answered once only.
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("projects:signup_detail", args=[signup.pk]),
        {"decision": "refuse", "reason": "Trop tard"},
        follow=True,
    )
    assert "Cette demande a déjà reçu une réponse." in response.content.decode()


def test_the_caf_refuses_with_a_reason_that_is_mailed(
    client, loire, django_capture_on_commit_callbacks
):
    ask(client, loire.caf)
    signup = CarrierSignup.objects.get()
    client.force_login(loire.caf_admin)
    url = reverse("projects:signup_detail", args=[signup.pk])
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert "Un refus doit être motivé" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "refuse", "reason": "Structure hors du département."})
    signup.refresh_from_db()
    assert signup.status == "refused" and signup.decided_by == loire.caf_admin
    refused = [m for m in mail.outbox if "refusée" in m.subject]
    assert refused and "Structure hors du département." in refused[0].body
    assert not Carrier.objects.filter(siret=SIRET).exists()
    # Only the Caf's administrator and advisors answer.
    ask(client, loire.caf, siret="78383682757296", email="autre@exemple.fr")
    other = CarrierSignup.objects.get(siret="78383682757296")
    client.force_login(loire.processor)
    assert client.get(reverse("projects:signup_detail", args=[other.pk])).status_code == 403


def test_a_known_siret_is_sent_to_its_caf(client, loire):
    response = ask(client, loire.caf, siret=loire.carrier.siret)
    page = response.content.decode()
    assert "contactez votre Caf" in page
    assert not CarrierSignup.objects.exists()
    # Other entries are kept, the error sits next to the SIRET.
    assert 'value="Association Les Petits Savants"' in page


def test_a_bad_siret_or_department_is_explained_in_french(client, loire):
    response = ask(client, loire.caf, siret="12345678901234", departement="975")
    page = response.content.decode()
    assert "clé de contrôle incorrecte" in page
    assert "Sélectionnez un choix valide" in page or "Aucune Caf active" in page
    assert not CarrierSignup.objects.exists()


def test_sign_ups_are_rate_limited(client, loire):
    for n in range(3):
        ask(client, loire.caf, siret=["78383682757296", "78383683804584", "78383684851873"][n])
    response = ask(client, loire.caf, siret=SIRET)
    assert response.status_code == 429
    assert "Trop de demandes de compte" in response.content.decode()
    assert CarrierSignup.objects.count() == 3
