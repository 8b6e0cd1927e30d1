"""The national administrator sets up a Caf from the screens: creates it with its logo, invites
its first administrator, who chooses a password and logs in; the set-up status follows; nobody
else reaches those pages; a bad logo is refused in French; the logo heads the Caf's PDFs."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from clasportal.models import Caf, Role, StaffProfile
from committee.exports import agrement_pdf, letter_pdf, letters_by_carrier
from funding.models import CafPolicy

from .declaration_helpers import approve
from .factories import CampaignFactory, CarrierFactory, CommuneFactory, TerritoryFactory
from .request_helpers import png_bytes, png_upload

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/mot-de-passe/nouveau/\S+/)")
NEW_PASSWORD = "Landes-Clas-2026!"
LANDES = {
    "number": "401",
    "name": "Landes",
    "departement": "40",
    "address": "1 rue Marcel Paul\n40000 Mont-de-Marsan",
    "contact_email": "clas@caf40.example",
    "contact_phone": "05 58 46 00 00",
    "is_active": "on",
}


def status_of(client, caf):
    page = client.get(reverse("setup_caf_detail", args=[caf.pk])).content.decode()
    table = page.split("<caption>Mise en place</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td><span class=\"badge [^\"]+\">([^<]+)</span>", table)
    return dict(rows)


def test_national_admin_sets_up_a_caf_and_its_administrator_logs_in(
    client, national_admin, django_capture_on_commit_callbacks
):
    client.force_login(national_admin)
    created = client.post(
        reverse("setup_caf_create"), {**LANDES, "logo": png_upload("Logo Caf 40.PNG")}
    )
    caf = Caf.objects.get(number="401")
    assert created.status_code == 302 and created["Location"] == reverse(
        "setup_caf_detail", args=[caf.pk]
    )
    assert caf.name == "Landes" and caf.departement == "40" and caf.is_active
    assert caf.logo.name.startswith("caf-logos/logo") and caf.logo.name.endswith(".png")
    record = caf.history.get()
    assert record.history_user == national_admin and record.history_change_reason == "Caf créée"

    listing = client.get(reverse("setup_caf_list")).content.decode()
    assert "Caf Landes" in listing and "à inviter" in listing
    assert status_of(client, caf) == {
        "Administrateur": "à faire",
        "Territoires": "à faire",
        "Communes": "à faire",
        "Porteurs": "à faire",
        "Campagnes": "à faire",
        "Paramètres locaux": "à faire",
    }
    logo = client.get(reverse("setup_caf_logo", args=[caf.pk]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"

    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post(
            reverse("setup_caf_invite_admin", args=[caf.pk]),
            {"email": " Marie.Dupuy@CAF40.example ", "first_name": "Marie", "last_name": "Dupuy"},
        )
    assert invited.status_code == 302
    profile = StaffProfile.objects.get(user__email="marie.dupuy@caf40.example")
    assert profile.caf == caf and profile.role == Role.CAF_ADMIN
    assert not profile.user.has_usable_password()
    detail = client.get(reverse("setup_caf_detail", args=[caf.pk])).content.decode()
    assert "invitation en attente" in detail and "Renvoyer l'invitation" in detail

    sent = mail.outbox[-1]
    assert sent.to == ["marie.dupuy@caf40.example"] and "Caf Landes" in sent.body
    path = LINK.search(sent.body).group(1)
    client.logout()
    form = client.get(path, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    logged = client.post(
        reverse("login"), {"username": "marie.dupuy@caf40.example", "password": NEW_PASSWORD}
    )
    assert logged.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "Administrateur Caf — Caf Landes" in home
    # The Caf's own administrator does not reach the national set-up pages.
    assert client.get(reverse("setup_caf_detail", args=[caf.pk])).status_code == 403

    # What the Caf administrator then creates shows in the national administrator's status.
    territory = TerritoryFactory(caf=caf, name="Grand Dax")
    commune = CommuneFactory(territory=territory, insee_code="40088", name="Dax")
    CarrierFactory(commune=commune)
    CampaignFactory(caf=caf)
    CafPolicy.objects.create(caf=caf, min_weeks=28)
    client.force_login(national_admin)
    assert set(status_of(client, caf).values()) == {"fait"}
    listing = client.get(reverse("setup_caf_list")).content.decode()
    assert "<strong>prête</strong>" in listing


def test_editing_a_caf_is_traced_with_who_and_what(client, national_admin, loire):
    client.force_login(national_admin)
    response = client.post(
        reverse("setup_caf_edit", args=[loire.caf.pk]),
        {
            "number": loire.caf.number,
            "name": "Loire (Saint-Étienne)",
            "departement": "42",
            "contact_email": "clas@caf42.example",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    loire.caf.refresh_from_db()
    assert loire.caf.name == "Loire (Saint-Étienne)"
    page = client.get(reverse("setup_caf_detail", args=[loire.caf.pk])).content.decode()
    assert "Fiche de la Caf modifiée" in page
    assert "Nom : Loire → Loire (Saint-Étienne)" in page
    assert "E-mail de contact : — → clas@caf42.example" in page
    assert str(national_admin) in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", "image/png"),
            "Le logo doit être une image PNG ou JPEG : ce fichier n&#x27;en est pas une.",
        ),
        (
            SimpleUploadedFile("logo.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
            "ce fichier n&#x27;en est pas une",
        ),
        (
            SimpleUploadedFile("logo.png", png_bytes()[:40], "image/png"),
            "Cette image PNG ou JPEG est illisible ou abîmée",
        ),
        (
            SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (1024 * 1024 + 1), "image/png"),
            "Le logo pèse 1,0 Mo : 1 Mo au plus.",
        ),
        (
            SimpleUploadedFile("logo.png", png_bytes(width=5000, height=10), "image/png"),
            "Le logo mesure 5000 × 10 pixels : 4000 au plus de chaque côté.",
        ),
    ],
)
def test_a_bad_logo_is_refused_in_french_and_the_rest_is_kept(
    client, national_admin, upload, message
):
    client.force_login(national_admin)
    response = client.post(reverse("setup_caf_create"), {**LANDES, "logo": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="clas@caf40.example"' in page and 'value="Landes"' in page
    assert not Caf.objects.filter(number="401").exists()


def test_other_mistakes_get_french_messages(client, national_admin, loire):
    client.force_login(national_admin)
    page = client.post(
        reverse("setup_caf_create"),
        {
            **LANDES,
            "number": loire.caf.number,
            "departement": loire.caf.departement,
            "contact_email": "pas-une-adresse",
        },
    ).content.decode()
    assert "Une Caf porte déjà ce numéro." in page
    assert "Une Caf couvre déjà ce département." in page
    assert "Saisissez une adresse e-mail valide" in page
    page = client.post(
        reverse("setup_caf_create"), {**LANDES, "number": "4O1", "departement": "420"}
    ).content.decode()
    assert "trois chiffres" in page and "Saisissez un numéro de département" in page
    invite = client.post(
        reverse("setup_caf_invite_admin", args=[loire.caf.pk]),
        {"email": loire.advisor.email, "first_name": "A", "last_name": "B"},
    )
    assert invite.status_code == 200
    assert "Un compte existe déjà avec cette adresse." in invite.content.decode()


@pytest.mark.parametrize("who", ["carrier_user", "advisor", "processor", "committee", "caf_admin"])
def test_nobody_but_the_national_admin_reaches_the_set_up(client, loire, who):
    client.force_login(getattr(loire, who))
    for name, args in (
        ("setup_caf_list", []),
        ("setup_caf_create", []),
        ("setup_caf_detail", [loire.caf.pk]),
        ("setup_caf_edit", [loire.caf.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    response = client.post(
        reverse("setup_caf_invite_admin", args=[loire.caf.pk]),
        {"email": "intrus@exemple.fr", "first_name": "I", "last_name": "N"},
    )
    assert response.status_code == 403
    assert not StaffProfile.objects.filter(user__email="intrus@exemple.fr").exists()
    created = client.post(reverse("setup_caf_create"), LANDES)
    assert created.status_code == 403 and not Caf.objects.filter(number="401").exists()


def test_anonymous_is_sent_to_the_login_page(client, loire):
    response = client.get(reverse("setup_caf_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# The wall clock held still: no cache expiry or session refresh between the counts.
@pytest.mark.usefixtures("held_clock")
def test_the_caf_list_runs_a_constant_number_of_queries(
    client, national_admin, loire, vosges, django_assert_num_queries
):
    client.force_login(national_admin)
    client.get(reverse("setup_caf_list"))  # warm the cache (the unread-notices badge)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("setup_caf_list"))
    for number in range(20):
        TerritoryFactory(caf=Caf.objects.create(number=f"{500 + number}", name=f"C{number}"))
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("setup_caf_list"))
    assert page.content.decode().count("à inviter") == 20


def test_the_logo_heads_the_agrement_list_and_the_letters(loire):
    project = approve(loire)
    session = project.agenda_items.get().session
    without = PdfReader(io.BytesIO(agrement_pdf(session)))
    assert not without.pages[0].images
    loire.caf.logo.save("logo.png", png_upload(), save=True)
    session.refresh_from_db()
    listing = PdfReader(io.BytesIO(agrement_pdf(session)))
    assert len(listing.pages[0].images) == 1
    letter = next(iter(letters_by_carrier(session).values()))
    letters = PdfReader(io.BytesIO(letter_pdf(session, letter)))
    assert len(letters.pages[0].images) == 1
