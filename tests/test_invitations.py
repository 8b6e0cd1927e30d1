"""An invitation to join a carrier is accepted by its recipient; one person may belong to several
carriers and says which one a new project is for; the invite form reveals nobody's account."""

import pytest
from django.urls import reverse

from projects.models import CarrierMembership, Project

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(client, world, email):
    client.force_login(world.carrier_user)
    return client.post(
        reverse("projects:carrier_invite", args=[world.carrier.pk]),
        {"email": email, "first_name": "Léa", "last_name": "Roux"},
        follow=True,
    )


def test_an_existing_account_must_accept_before_it_sees_anything(client, loire, mailoutbox):
    newcomer = loire.other_carrier_user  # a member of another carrier of the same Caf
    invite(client, loire, newcomer.email.upper())
    membership = CarrierMembership.objects.get(carrier=loire.carrier, user=newcomer)
    assert membership.accepted_at is None
    client.force_login(newcomer)
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert "Invitations à rejoindre une structure" in home and loire.carrier.legal_name in home
    client.post(reverse("projects:invitation_answer", args=[membership.pk]), {"answer": "accept"})
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 200
    # Two carriers now: the new request asks which one it is for.
    page = client.get(reverse("projects:create")).content.decode()
    assert "Structure qui porte le projet" in page


def test_a_declined_invitation_is_gone(client, loire):
    newcomer = loire.other_carrier_user
    invite(client, loire, newcomer.email)
    membership = CarrierMembership.objects.get(carrier=loire.carrier, user=newcomer)
    client.force_login(newcomer)
    client.post(reverse("projects:invitation_answer", args=[membership.pk]), {"answer": "no"})
    assert not CarrierMembership.objects.filter(pk=membership.pk).exists()
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 404


def test_nobody_answers_someone_elses_invitation(client, loire, vosges):
    invite(client, loire, loire.other_carrier_user.email)
    membership = CarrierMembership.objects.get(
        carrier=loire.carrier, user__email__iexact=loire.other_carrier_user.email
    )
    for intruder in (vosges.carrier_user, loire.carrier_user, loire.caf_admin):
        client.force_login(intruder)
        url = reverse("projects:invitation_answer", args=[membership.pk])
        assert client.post(url, {"answer": "accept"}).status_code == 404
    membership.refresh_from_db()
    assert membership.accepted_at is None


@pytest.mark.parametrize("who", ["advisor", "caf_admin", "national_admin", "unknown"])
def test_the_invite_form_says_the_same_for_every_address(client, loire, vosges, who, mailoutbox):
    address = {
        "advisor": vosges.advisor.email,
        "caf_admin": loire.caf_admin.email,
        "national_admin": UserFactory(is_national_admin=True).email,
        "unknown": "lea.roux@example.org",
    }[who]
    page = invite(client, loire, address).content.decode()
    assert f"Invitation envoyée à {address}" in page
    assert "agent de la Caf" not in page
    joined = CarrierMembership.objects.filter(carrier=loire.carrier, user__email__iexact=address)
    assert joined.exists() is (who == "unknown")
    if who != "unknown":
        client.force_login(loire.caf_admin if who == "caf_admin" else vosges.advisor)


def test_a_project_is_created_for_the_chosen_carrier(client, loire):
    person = loire.carrier_user
    CarrierMembership.objects.create(carrier=loire.other_carrier, user=person)
    client.force_login(person)
    response = client.post(
        reverse("projects:create"),
        {
            "carrier": loire.other_carrier.pk,
            "campaign": loire.project.campaign.pk,
            "situation": 3,
            "title": "Coup de pouce lecture",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Project.objects.get(title="Coup de pouce lecture").carrier == loire.other_carrier
