"""The Caf administrator manages the Caf's staff: accounts, roles, territories, deactivation."""

import pytest
from django.core import mail
from django.urls import reverse

from clasportal.models import StaffProfile, User

pytestmark = pytest.mark.django_db


def test_caf_admin_opens_an_advisor_account(client, loire, django_capture_on_commit_callbacks):
    client.force_login(loire.caf_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("team"),
            {
                "email": "Nouvelle.Conseillere@caf.fr",
                "first_name": "Léa",
                "last_name": "Roux",
                "role": "advisor",
                "territories": [loire.territory.pk],
            },
        )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user__email="nouvelle.conseillere@caf.fr")
    assert profile.caf == loire.caf and list(profile.territories.all()) == [loire.territory]
    assert not profile.user.has_usable_password()
    assert "Choisissez votre mot de passe" in mail.outbox[-1].body


def test_duplicate_email_is_refused_and_entries_kept(client, loire):
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("team"),
        {"email": loire.advisor.email, "first_name": "Léa", "last_name": "Roux", "role": "advisor"},
    )
    text = response.content.decode()
    assert "Un compte existe déjà" in text and 'value="Roux"' in text


def test_territories_change_is_traced_and_deactivation_blocks_login(client, loire):
    client.force_login(loire.caf_admin)
    profile = loire.advisor.staff_profile
    client.post(reverse("team_member", args=[profile.pk]), {"role": "processor"})
    profile.refresh_from_db()
    assert profile.role == "processor"
    assert profile.history.first().history_user == loire.caf_admin
    client.post(reverse("team_member_toggle", args=[profile.pk]))
    assert not User.objects.get(pk=loire.advisor.pk).is_active
    response = client.post(
        reverse("team_member_toggle", args=[loire.caf_admin.staff_profile.pk]), follow=True
    )
    assert "propre compte" in response.content.decode()


def test_other_caf_admin_gets_404(client, loire, vosges):
    client.force_login(vosges.caf_admin)
    profile = loire.advisor.staff_profile
    assert client.get(reverse("team_member", args=[profile.pk])).status_code == 404
    assert client.post(reverse("team_member_toggle", args=[profile.pk])).status_code == 404
    page = client.get(reverse("team")).content.decode()
    assert loire.advisor.email not in page
