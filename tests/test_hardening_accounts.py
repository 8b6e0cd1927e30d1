"""Accounts hardened (issue 14, items 2, 13 and 10): the login lockout falls on the (login name,
client address) pair read behind the proxy; lost passwords and expired invitations have a way
out, through the outbox, without a usable link left in it; oversized bodies are refused unread."""

import re

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from clasportal.models import OutboundEmail, StaffProfile
from clasportal.notifications import notify
from projects.models import CarrierMembership

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-nouveau-mot-de-passe-2026"
REDACTED_LINK = "[lien retiré après envoi]"
LINK = re.compile(r"https?://testserver(/mot-de-passe/nouveau/\S+/)")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    reset()
    yield settings
    reset()


def login(client, email, password, ip="192.0.2.10", **extra):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, email, times, ip="192.0.2.10", **extra):
    for _ in range(times):
        response = login(client, email, "mauvais-mot-de-passe", ip=ip, **extra)
        assert response.status_code in (200, 429)


# --- A. Lockout on the (login name, address) pair ------------------------------------------------


def test_made_up_names_from_one_address_lock_no_one_else(client, loire, axes_on):
    for n in range(6):
        login(client, f"inconnu{n}@exemple.fr", "mauvais-mot-de-passe")
    response = login(client, loire.carrier_user.email, PASSWORD)
    assert response.status_code == 302, "every user behind the proxy is locked out"


def test_failures_from_many_addresses_do_not_lock_the_owner(client, loire, axes_on):
    for n in range(6):
        fail(client, loire.advisor.email, 1, ip=f"198.51.100.{n + 1}")
    response = login(client, loire.advisor.email, PASSWORD, ip="203.0.113.9")
    assert response.status_code == 302, "the owner is locked out of their own desk"


def test_the_lock_ignores_case_and_spaces(client, loire, axes_on):
    email = loire.caf_admin.email
    fail(client, email.upper(), 3)
    fail(client, f"  {email.title()} ", 2)
    assert AccessAttempt.objects.filter(username=email).exists()
    response = login(client, f" {email.upper()}", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Compte temporairement bloqué" in text
    assert reverse("password_reset") in text
    # The same address is not locked for someone else.
    assert login(client, loire.advisor.email, PASSWORD).status_code == 302


def test_client_address_is_read_behind_the_trusted_proxy(client, loire, axes_on):
    axes_on.CLAS_TRUSTED_PROXY_COUNT = 1
    proxy = {"ip": "172.18.0.5"}  # every request reaches Django from nginx
    fail(client, loire.processor.email, 5, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    # Forging an entry on the left does not make the same client someone new.
    forged = login(
        client,
        loire.processor.email,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        **proxy,
    )
    assert forged.status_code == 429
    other_desk = login(
        client, loire.processor.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy
    )
    assert other_desk.status_code == 302


def test_client_ip_trusts_the_header_only_behind_a_proxy(settings):
    from clasportal.accounts import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.CLAS_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.5"
    settings.CLAS_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"
    settings.CLAS_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.CLAS_TRUSTED_PROXY_COUNT = 3  # header shorter than the chain: the peer is the client
    assert client_ip(request) == "172.18.0.5"


def test_caf_admin_sees_and_lifts_a_lock_traced_in_the_history(client, loire, vosges, axes_on):
    advisor = loire.advisor
    fail(client, advisor.email, 5)
    assert login(client, advisor.email, PASSWORD).status_code == 429
    profile = advisor.staff_profile
    url = reverse("team_member_unlock", args=[profile.pk])

    client.force_login(vosges.caf_admin)  # another Caf's administrator
    assert client.post(url).status_code == 404
    client.force_login(loire.processor)  # not an administrator
    assert client.post(url).status_code == 403
    assert AccessAttempt.objects.filter(username=advisor.email).exists()

    client.force_login(loire.caf_admin)
    page = client.get(reverse("team")).content.decode()
    assert "connexion bloquée" in page and url in page
    response = client.post(url)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=advisor.email).exists()
    record = profile.history.first()
    assert record.history_change_reason == "Connexion débloquée"
    assert record.history_user == loire.caf_admin
    detail = client.get(reverse("team_member", args=[profile.pk])).content.decode()
    assert "Connexion débloquée" in detail
    client.logout()
    assert login(client, advisor.email, PASSWORD).status_code == 302


def test_accounts_are_created_and_logged_in_under_the_normal_form(client, loire):
    user = get_user_model().objects.create_user(email="  Lea.Roux@Exemple.FR ", password=PASSWORD)
    assert user.email == "lea.roux@exemple.fr"
    # Django's ModelBackend looked up " LEA.ROUX@exemple.fr " as typed, spaces included.
    assert client.login(username=" LEA.ROUX@Exemple.fr ", password=PASSWORD)
    client.force_login(loire.caf_admin)
    for email in (" Paul.Morel@Caf.FR ", "PAUL.MOREL@caf.fr"):
        client.post(
            reverse("team"),
            {"email": email, "first_name": "Paul", "last_name": "Morel", "role": "processor"},
        )
    assert StaffProfile.objects.filter(user__email="paul.morel@caf.fr").count() == 1


# --- B. Account recovery ----------------------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def request_reset(client, email, ip="192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_login_page_links_to_reset_and_menu_to_change(client, loire):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    client.force_login(loire.carrier_user)
    page = client.get(reverse("home")).content.decode()
    assert "Changer mon mot de passe" in page and reverse("password_change") in page


def test_password_reset_through_the_outbox_without_a_token_left_or_logged(
    client, loire, fresh_cache, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level("DEBUG")
    user = loire.carrier_user
    page = client.get(reverse("password_reset")).content.decode()
    assert "Mot de passe oublié" in page and 'lang="fr"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(client, f"  {user.email.upper()} ")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    row = OutboundEmail.objects.get(recipients=[user.email])
    assert row.status == OutboundEmail.Status.SENT
    sent = mail.outbox[-1]
    assert sent.to == [user.email] and "nouveau mot de passe" in sent.subject
    path = LINK.search(sent.body).group(1)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in row.body and REDACTED_LINK in row.body
    assert token not in caplog.text

    form = client.get(path, follow=True)
    assert "Choisir votre mot de passe" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert client.login(username=user.email, password=NEW_PASSWORD)
    client.logout()
    used = client.get(path, follow=True).content.decode()
    assert "plus valable" in used


def test_a_new_password_chosen_by_mail_ends_the_lockout(
    client, loire, axes_on, fresh_cache, django_capture_on_commit_callbacks
):
    user = loire.committee
    fail(client, user.email, 5)
    assert login(client, user.email, PASSWORD).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, user.email)
    form = client.get(LINK.search(mail.outbox[-1].body).group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_reset_tells_nothing_about_unknown_or_inactive_addresses(
    client, loire, fresh_cache, django_capture_on_commit_callbacks
):
    loire.committee.is_active = False
    loire.committee.save()
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("personne@inconnu.fr", loire.committee.email):
            response = request_reset(client, email)
            assert response.status_code == 302
            assert response["Location"] == reverse("password_reset_done")
    assert not OutboundEmail.objects.exists() and not mail.outbox


def test_reset_is_rate_limited_per_address_and_per_client(client, loire, fresh_cache, settings):
    settings.CLAS_PASSWORD_RESET_PER_EMAIL = 2
    settings.CLAS_PASSWORD_RESET_PER_IP = 3
    email = loire.carrier_user.email
    assert request_reset(client, email, ip="192.0.2.1").status_code == 302
    assert request_reset(client, email.upper(), ip="192.0.2.2").status_code == 302
    refused = request_reset(client, email, ip="192.0.2.3")
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.content.decode()
    assert OutboundEmail.objects.filter(recipients=[email]).count() == 2

    for n in range(3):
        assert request_reset(client, f"autre{n}@exemple.fr", ip="192.0.2.50").status_code == 302
    assert request_reset(client, "autre9@exemple.fr", ip="192.0.2.50").status_code == 429
    assert request_reset(client, "autre9@exemple.fr", ip="192.0.2.51").status_code == 302


def test_password_change_from_the_user_menu(client, loire):
    user = loire.processor
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Changer mon mot de passe" in page and "Ancien mot de passe" in page
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("home")).status_code == 200  # still logged in
    client.logout()
    assert client.login(username=user.email, password=NEW_PASSWORD)


def test_caf_admin_resends_an_expired_invitation(
    client, loire, vosges, django_capture_on_commit_callbacks
):
    client.force_login(loire.caf_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("team"),
            {
                "email": "invitee@caf.fr",
                "first_name": "Léa",
                "last_name": "Roux",
                "role": "advisor",
            },
        )
    profile = StaffProfile.objects.get(user__email="invitee@caf.fr")
    url = reverse("team_member_invite", args=[profile.pk])
    assert url in client.get(reverse("team")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and LINK.search(mail.outbox[-1].body)
    assert "renvoie votre invitation" in mail.outbox[-1].body
    assert profile.history.first().history_change_reason == "Invitation renvoyée"
    assert profile.history.first().history_user == loire.caf_admin
    assert all(LINK.search(row.body) is None for row in OutboundEmail.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("team_member_invite", args=[loire.advisor.staff_profile.pk]), follow=True
        )
    assert "déjà choisi son mot de passe" in refused.content.decode()
    assert len(mail.outbox) == 2
    client.force_login(vosges.caf_admin)
    assert client.post(url).status_code == 404


def test_carrier_resends_an_invitation_to_a_colleague(
    client, loire, django_capture_on_commit_callbacks
):
    client.force_login(loire.carrier_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:carrier_invite", args=[loire.carrier.pk]),
            {"email": "Collegue@Exemple.fr", "first_name": "Léa"},
        )
    membership = CarrierMembership.objects.get(user__email="collegue@exemple.fr")
    url = reverse("projects:member_invite_resend", args=[loire.carrier.pk, membership.pk])
    page = client.get(reverse("projects:carrier_detail", args=[loire.carrier.pk])).content.decode()
    assert url in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert [m.to for m in mail.outbox] == [["collegue@exemple.fr"]] * 2
    assert LINK.search(mail.outbox[-1].body)
    assert OutboundEmail.objects.filter(recipients=["collegue@exemple.fr"]).count() == 2

    own = loire.carrier.memberships.get(user=loire.carrier_user)
    refused = client.post(
        reverse("projects:member_invite_resend", args=[loire.carrier.pk, own.pk]), follow=True
    )
    assert "déjà choisi son mot de passe" in refused.content.decode()
    client.force_login(loire.other_carrier_user)
    assert client.post(url).status_code == 404


def test_sent_outbox_rows_keep_no_one_time_link(django_capture_on_commit_callbacks):
    link = "https://clas.example/mot-de-passe/nouveau/MTI/cxyz12-0123456789abcdef/"
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(
            subject="Invitation", body=f"Bonjour,\n\nLien : {link}\n\nMerci.", to=["a@b.fr"]
        )
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert link in mail.outbox[-1].body
    assert row.body == f"Bonjour,\n\nLien : {REDACTED_LINK}\n\nMerci."
