"""Log in with an e-mail; every demo account reaches its French dashboard."""

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from clasportal.management.commands.seed_demo import DEMO_PASSWORD
from projects.models import CarrierMembership

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = {
    "porteur@demo.clas.fr": "Association Réussir Ensemble",
    "porteur2@demo.clas.fr": "Commune de Firminy",
    "porteur-vosges@demo.clas.fr": "Association Vosges Savoirs",
    "ccd@demo.clas.fr": "Conseiller (CCD) — Caf Loire",
    "ccd-vosges@demo.clas.fr": "Conseiller (CCD) — Caf Vosges",
    "gc@demo.clas.fr": "Gestionnaire conseil (GC) — Caf Loire",
    "comite@demo.clas.fr": "Membre du comité départemental — Caf Loire",
    "admin@demo.clas.fr": "Administrateur Caf — Caf Loire",
    "cnaf@demo.clas.fr": "Administration nationale (Cnaf)",
    # The Vosges' complete staff beside its advisor.
    "admin-vosges@demo.clas.fr": "Administrateur Caf — Caf Vosges",
    "comite-vosges@demo.clas.fr": "Membre du comité départemental — Caf Vosges",
    "gc-vosges@demo.clas.fr": "Gestionnaire conseil (GC) — Caf Vosges",
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--reset", verbosity=0)


def test_authenticate_with_email_case_insensitive(demo):
    assert authenticate(username="porteur@demo.clas.fr", password=DEMO_PASSWORD) is not None
    assert authenticate(username="Porteur@Demo.Clas.fr", password=DEMO_PASSWORD) is not None
    assert authenticate(username="porteur@demo.clas.fr", password="faux") is None


@pytest.mark.parametrize("email, heading", DEMO_ACCOUNTS.items())
def test_every_demo_account_logs_in_and_sees_its_dashboard(client, demo, email, heading):
    response = client.post(reverse("login"), {"username": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(reverse("home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text
    assert 'lang="fr"' in text
    assert "Se déconnecter" in text


def test_wrong_password_gets_a_french_message_and_keeps_the_email(client, demo):
    response = client.post(
        reverse("login"), {"username": "porteur@demo.clas.fr", "password": "mauvais"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect" in text
    assert 'value="porteur@demo.clas.fr"' in text


def test_logout_is_post_only(client, demo):
    client.login(username="porteur@demo.clas.fr", password=DEMO_PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_seed_demo_is_deterministic_and_covers_every_status(demo):
    from projects.models import Project, ProjectStatus

    statuses = set(Project.objects.filter(campaign__year=2026).values_list("status", flat=True))
    # An agrément withdrawn mid-year shows in the closed 2025 campaign (issue 17).
    assert statuses | {ProjectStatus.WITHDRAWN} == set(ProjectStatus.values)
    assert Project.objects.filter(campaign__year=2025, status=ProjectStatus.WITHDRAWN).exists()
    first = sorted(Project.objects.values_list("carrier__siret", "title", "status"))
    call_command("seed_demo", "--reset", verbosity=0)
    assert sorted(Project.objects.values_list("carrier__siret", "title", "status")) == first


def test_seed_demo_refuses_production(settings, db):
    from django.core.management.base import CommandError

    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)


def test_carrier_invites_a_colleague_who_then_sees_the_same_projects(
    client, loire, django_capture_on_commit_callbacks
):
    client.force_login(loire.carrier_user)
    url = reverse("projects:carrier_invite", args=[loire.carrier.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "collegue@exemple.fr", "first_name": "Léa"})
    assert response.status_code == 302
    membership = CarrierMembership.objects.get(user__email="collegue@exemple.fr")
    assert membership.invited_by == loire.carrier_user
    assert len(mail.outbox) == 1 and "mot de passe" in mail.outbox[0].body
    client.force_login(membership.user)
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 200


def test_invite_with_bad_email_keeps_the_entries(client, loire):
    client.force_login(loire.carrier_user)
    url = reverse("projects:carrier_invite", args=[loire.carrier.pk])
    response = client.post(url, {"email": "pas-une-adresse", "first_name": "Léa"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Saisissez une adresse e-mail valide" in text
    assert 'value="Léa"' in text
