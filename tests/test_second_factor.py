"""Second factor for Caf staff (issue 14, item 14): an authenticator app enrolled with a real TOTP
code, recovery codes that work once, the code asked after the password, a lock after repeated
wrong codes, and who must use it (the Caf's switch, one person's flag, the national admin in
production)."""

import html
import os
import re
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'id="cle-secrete"><code>([A-Z2-7 ]+)</code>')
RECOVERY_CODE = re.compile(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def app_code(key, seconds_ahead=0):
    """The code an authenticator app shows for `key` (RFC 6238: SHA-1, 30 s, 6 digits)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + seconds_ahead
    return f"{totp.token():06d}"


def wrong_code(key):
    """A 6-digit code that no step within the tolerance accepts."""
    valid = {app_code(key, offset) for offset in (-60, -30, 0, 30, 60)}
    return next(f"{n:06d}" for n in range(123456, 999999, 7919) if f"{n:06d}" not in valid)


def enrol(client, user):
    """Enrol `user` through the pages, as they would: read the secret, type the app's code."""
    client.force_login(user)
    page = text_of(client.get(reverse("otp_setup")))
    key = b32decode(SECRET.search(page).group(1).replace(" ", ""))
    response = client.post(reverse("otp_setup"), {"code": app_code(key)})
    assert response.status_code == 302
    assert response["Location"] == reverse("otp_recovery_codes")
    codes = RECOVERY_CODE.findall(text_of(client.get(reverse("otp_recovery_codes"))))
    return key, codes


def text_of(response):
    return html.unescape(response.content.decode())


def password_login(client, user):
    client.logout()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def verify(client, code, next_url="/"):
    return client.post(reverse("otp_verify"), {"code": code, "next": next_url})


def test_enrolment_with_a_real_code_then_recovery_codes_shown_once(client, loire):
    client.force_login(loire.advisor)
    page = client.get(reverse("otp_setup"))
    text = text_of(page)
    assert page.status_code == 200 and "Activer le second facteur" in text
    svg = re.search(r"<svg [^>]*>", text).group(0)
    assert 'class="otp-qr"' in svg and 'role="img"' in svg and "QR code à scanner" in svg
    assert '<label class="form-label" for="id_code">' in text
    assert 'autocomplete="one-time-code"' in text
    # The QR code is in the page itself: no image is fetched from anywhere.
    assert "<img" not in text and "otpauth://" not in text
    assert not TOTPDevice.objects.filter(user=loire.advisor).exists()  # a GET writes nothing

    key = b32decode(SECRET.search(text).group(1).replace(" ", ""))
    response = client.post(reverse("otp_setup"), {"code": app_code(key)})
    assert response["Location"] == reverse("otp_recovery_codes")
    device = TOTPDevice.objects.get(user=loire.advisor)
    assert device.confirmed and device.bin_key == key

    codes_page = text_of(client.get(reverse("otp_recovery_codes")))
    codes = RECOVERY_CODE.findall(codes_page)
    assert len(codes) == 10 == len(set(codes))
    assert "ne seront plus affichés" in codes_page and "ne sert qu'une fois" in codes_page
    again = text_of(client.get(reverse("otp_recovery_codes"), follow=True))
    assert not RECOVERY_CODE.findall(again) and "ne s'affichent qu'une fois" in again

    status = text_of(client.get(reverse("otp_setup")))
    assert "Votre application d'authentification est activée" in status
    assert "Il vous reste <strong>10</strong> codes de secours" in status
    assert client.get(reverse("home")).status_code == 200  # this session gave its code


def test_wrong_enrolment_code_is_refused_in_french(client, loire):
    client.force_login(loire.advisor)
    text = text_of(client.get(reverse("otp_setup")))
    key = b32decode(SECRET.search(text).group(1).replace(" ", ""))

    response = client.post(reverse("otp_setup"), {"code": wrong_code(key)})
    text = text_of(response)
    assert response.status_code == 200
    assert "Ce code ne correspond pas" in text and "heure du téléphone" in text
    assert 'aria-describedby="err-code"' in text and "is-invalid" in text
    # The same secret is offered again, so the account already added in the app still works.
    assert b32decode(SECRET.search(text).group(1).replace(" ", "")) == key

    response = client.post(reverse("otp_setup"), {"code": "12a4"})
    assert "Le code comporte 6 chiffres" in text_of(response)
    assert not TOTPDevice.objects.filter(user=loire.advisor).exists()


def test_login_asks_the_code_once_enrolled(client, loire):
    enrol(client, loire.advisor)
    password_login(client, loire.advisor)

    for name in ("home", "projects:list", "otp_setup", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("otp_verify") + "?next="), name
    page = client.get(reverse("otp_verify") + "?next=/projets/")
    text = text_of(page)
    assert "Code de vérification" in text and 'value="/projets/"' in text
    assert "Instruction" not in text  # no menu before the code

    # The code used to enrol cannot be replayed; the next one from the app is accepted.
    response = verify(client, app_code(loire.advisor.totpdevice_set.get().bin_key, 30), "/projets/")
    assert response.status_code == 302 and response["Location"] == "/projets/"
    assert client.get(reverse("projects:list")).status_code == 200
    assert client.get(reverse("otp_verify"))["Location"] == reverse("home")

    # A new login asks again; a foreign next is not followed.
    password_login(client, loire.advisor)
    assert client.get(reverse("home")).status_code == 302
    response = verify(
        client, app_code(loire.advisor.totpdevice_set.get().bin_key, 60), "https://evil.example/"
    )
    assert response["Location"] == reverse("home")


def test_recovery_code_works_once(client, loire):
    key, codes = enrol(client, loire.processor)
    password_login(client, loire.processor)
    code = codes[3]

    response = verify(client, code.upper().replace("-", " "))
    assert response.status_code == 302
    after = text_of(client.get(reverse("home"), follow=True))
    assert "Code de secours utilisé" in after and "Il vous en reste 9" in after
    assert StaticToken.objects.filter(device__user=loire.processor).count() == 9

    password_login(client, loire.processor)
    response = verify(client, code)
    assert response.status_code == 200 and "Code incorrect." in text_of(response)
    assert client.get(reverse("home")).status_code == 302
    # (django-otp makes the next recovery code wait a second after a wrong one: use the app.)
    assert verify(client, app_code(key, 30)).status_code == 302

    # New codes replace the old ones.
    status = text_of(client.get(reverse("otp_setup")))
    assert "Il vous reste 9 codes de secours" in status.replace("<strong>", "").replace(
        "</strong>", ""
    )
    client.post(reverse("otp_recovery_codes_regenerate"))
    fresh = RECOVERY_CODE.findall(text_of(client.get(reverse("otp_recovery_codes"))))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    password_login(client, loire.processor)
    assert verify(client, fresh[0]).status_code == 302
    password_login(client, loire.processor)
    assert "Code incorrect." in text_of(verify(client, codes[5]))


def test_caf_switch_forces_enrolment_for_its_staff_only(client, loire, vosges):
    client.force_login(loire.caf_admin)
    page = text_of(client.get(reverse("team")))
    assert "Exiger le second facteur de tous les agents de la Caf" in page
    response = client.post(reverse("team_second_factor"), {"requires_second_factor": "on"})
    assert response.status_code == 302
    loire.caf.refresh_from_db()
    assert loire.caf.requires_second_factor
    change = loire.caf.history.first()
    assert change.history_user == loire.caf_admin
    assert change.history_change_reason == "Second facteur exigé de tous les agents"

    # The administrator is staff too: the team page now waits for their enrolment.
    assert client.get(reverse("team"))["Location"] == reverse("otp_setup")

    for user in (loire.advisor, loire.committee):
        client.force_login(user)
        for name in ("home", "projects:list", "committee:queue", "otp_recovery_codes"):
            response = client.get(reverse(name))
            assert response["Location"] == reverse("otp_setup"), (user, name)
        page = client.get(reverse("otp_setup"))
        assert page.status_code == 200
        assert "Votre Caf exige un second facteur" in text_of(page)
        assert client.post(reverse("logout")).status_code == 302

    for user in (loire.carrier_user, vosges.advisor, vosges.caf_admin):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200, user

    # One person of another Caf, marked on their own profile, must enrol too.
    client.force_login(vosges.caf_admin)
    profile = vosges.processor.staff_profile
    client.post(
        reverse("team_member", args=[profile.pk]),
        {"role": "processor", "requires_second_factor": "on"},
    )
    client.force_login(vosges.processor)
    assert client.get(reverse("home"))["Location"] == reverse("otp_setup")

    # Once enrolled, the team page says so; switched off, the enrolled keep being asked.
    enrol(client, loire.advisor)
    client.force_login(loire.caf_admin)
    enrol(client, loire.caf_admin)
    page = text_of(client.get(reverse("team")))
    assert "second facteur actif" in page and "second facteur à activer" in page
    client.post(reverse("team_second_factor"), {})
    loire.caf.refresh_from_db()
    assert not loire.caf.requires_second_factor
    password_login(client, loire.advisor)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    client.force_login(loire.committee)
    assert client.get(reverse("home")).status_code == 200


def test_lockout_after_repeated_wrong_codes(client, loire):
    key, codes = enrol(client, loire.advisor)
    password_login(client, loire.advisor)

    for left in (4, 3, 2, 1):
        response = verify(client, wrong_code(key))
        assert response.status_code == 200
        assert f"Il vous reste {left} essai" in text_of(response)
    response = verify(client, wrong_code(key))
    text = text_of(response)
    assert response.status_code == 429
    assert "la vérification est bloquée pendant 15 minutes" in text

    # Locked: even the right code and a recovery code are refused, and the page says why.
    assert verify(client, app_code(key, 30)).status_code == 429
    assert verify(client, codes[0]).status_code == 429
    assert "bloquée pendant 15 minutes" in text_of(client.get(reverse("otp_verify")))
    assert StaticToken.objects.filter(device__user=loire.advisor).count() == 10

    # The lock is this person's only.
    other_key, _ = enrol(client, loire.processor)
    password_login(client, loire.processor)
    assert verify(client, app_code(other_key, 30)).status_code == 302


def test_national_admin_required_in_production_setting(client, national_admin, settings):
    client.force_login(national_admin)
    assert client.get(reverse("home")).status_code == 200

    settings.CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN = True
    assert client.get(reverse("home"))["Location"] == reverse("otp_setup")
    assert client.get(reverse("funding:bareme_list"))["Location"] == reverse("otp_setup")
    key, _ = enrol(client, national_admin)
    assert client.get(reverse("funding:bareme_list")).status_code == 200
    password_login(client, national_admin)
    assert verify(client, app_code(key, 30)).status_code == 302

    environment = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "EMAIL_URL")
    }
    environment.update(
        SECRET_KEY="x" * 60,
        DATABASE_URL="sqlite:////tmp/unused.db",
        EMAIL_URL="smtp://smtp.example.invalid:25",
        CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN="false",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import clasportal.settings.production as p; print(p.CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN)",
        ],
        cwd=Path(django_settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_caf_admin_resets_a_lost_second_factor(client, loire, vosges):
    enrol(client, loire.advisor)
    profile = loire.advisor.staff_profile
    client.force_login(vosges.caf_admin)
    url = reverse("team_member_reset_second_factor", args=[profile.pk])
    assert client.post(url).status_code == 404

    client.force_login(loire.caf_admin)
    assert "Second facteur actif depuis" in text_of(
        client.get(reverse("team_member", args=[profile.pk]))
    )
    page = text_of(client.post(url, follow=True))
    assert "réinitialisé" in page and "Second facteur non activé" in page
    assert not TOTPDevice.objects.filter(user=loire.advisor).exists()
    assert not StaticToken.objects.filter(device__user=loire.advisor).exists()
    assert profile.history.first().history_change_reason == "Second facteur réinitialisé"

    password_login(client, loire.advisor)
    assert client.get(reverse("home")).status_code == 200


def test_command_resets_the_national_admin(client, national_admin, settings):
    settings.CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN = True
    enrol(client, national_admin)
    call_command("clas_reset_second_factor", national_admin.email.upper())
    assert not TOTPDevice.objects.filter(user=national_admin).exists()
    password_login(client, national_admin)
    assert client.get(reverse("home"))["Location"] == reverse("otp_setup")
