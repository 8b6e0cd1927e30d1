"""Issue 16, done when: the Landes set up from an empty database through the screens only. The
national administrator creates the Caf and invites its administrator; the administrator imports
its communes, creates its territories, sets the Landes rules on the policy page, adds a required
document, creates a carrier (its first user invited) and a campaign; the carrier's user answers
the invitation and files a request with a collective of 2 sessions of 60 min a week over 28
weeks, which the Landes accept and the Loire's rules refuse. Every write goes through an HTTP
form as a browser would post it; the database is only read, to find ids and to assert."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clasportal.models import Caf, Commune, Role, StaffProfile, Territory
from projects.completeness import missing_items, policy_for
from projects.forms import CollectiveForm
from projects.models import Carrier, DocumentType, Project, ProjectStatus

from .factories import UserFactory
from .request_helpers import deposit_data, pdf_upload

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/mot-de-passe/nouveau/\S+/)")
ADMIN_EMAIL = "sophie.lafitte@caf40.example"
ADMIN_PASSWORD = "Landes-Admin-2026!"
CARRIER_EMAIL = "p.darriet@amicale-dax.example"
CARRIER_PASSWORD = "Amicale-Dax-2026!"

COMMUNES_CSV = (
    "code_insee;nom;code_postal;territoire;rural;zrr;qpv\n"
    "40088;Dax;40100;Grand Dax;non;non;oui\n"
    "40279;Saint-Paul-lès-Dax;40990;Grand Dax;non;non;non\n"
    "40192;Mont-de-Marsan;40000;Marsan Agglomération;non;non;oui\n"
    "40246;Sabres;40630;Haute Lande;oui;oui;\n"
)


def school_year():
    """The school year under way (N of N/N+1), so that the campaign is open today."""
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def follow_invitation(client, email, password):
    """The person opens the link of the invitation e-mail, chooses a password and logs in."""
    sent = [message for message in mail.outbox if message.to == [email]]
    assert sent, f"no invitation e-mail to {email}"
    path = LINK.search(sent[-1].body).group(1)
    client.logout()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    logged = client.post(reverse("login"), {"username": email, "password": password})
    assert logged.status_code == 302, logged.content.decode()[:2000]


def posted_like_the_page(form, **changes):
    """What the browser posts for a bound-to-instance form: every field's shown value (checked
    boxes only), with the person's changes."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, Decimal):
            data[name] = str(value).replace(".", ",")
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def no_errors(response):
    """A form post that went through (redirect), or the page's errors in the failure."""
    assert response.status_code == 302, response.content.decode()[:4000]
    return response


def collective_data(commune, year, **overrides):
    data = {
        "name": "Groupe des Bords de l'Adour",
        "school_level": "elementaire",
        "commune": str(commune.pk),
        "planned_children": "10",
        "children_justification": "",
        "planned_weeks": "28",
        "weekdays": ["mardi", "jeudi"],
        "sessions_per_week": "2",
        "session_minutes": "60",
        "start_date": f"{year}-11-30",
        "end_date": f"{year + 1}-06-18",
        "intervenants-TOTAL_FORMS": "2",
        "intervenants-INITIAL_FORMS": "0",
        "intervenants-MIN_NUM_FORMS": "0",
        "intervenants-MAX_NUM_FORMS": "8",
        "intervenants-0-full_name": "Inès Morel",
        "intervenants-0-qualification": "BAFA",
        "intervenants-1-full_name": "Hugo Blanc",
        "intervenants-1-qualification": "Bénévole",
        "intervenants-1-is_volunteer": "on",
    }
    data.update(overrides)
    return data


def test_the_landes_are_set_up_from_the_screens_and_a_carrier_files_2_x_1_hour(
    client, django_capture_on_commit_callbacks
):
    year = school_year()
    today = timezone.localdate()

    # --- 1. The national administrator creates the Caf and invites its administrator. -------
    # The one account the portal has after install (no sign-up screen for it).
    national_admin = UserFactory(is_national_admin=True)
    client.force_login(national_admin)
    no_errors(
        client.post(
            reverse("setup_caf_create"),
            {
                "number": "400",
                "name": "Landes",
                "departement": "40",
                "address": "1 rue Marcel Paul\n40000 Mont-de-Marsan",
                "contact_email": "clas@caf40.example",
                "contact_phone": "05 58 46 00 00",
                "is_active": "on",
            },
        )
    )
    caf = Caf.objects.get(departement="40")
    assert caf.number == "400" and caf.name == "Landes"
    with django_capture_on_commit_callbacks(execute=True):
        no_errors(
            client.post(
                reverse("setup_caf_invite_admin", args=[caf.pk]),
                {"email": ADMIN_EMAIL, "first_name": "Sophie", "last_name": "Lafitte"},
            )
        )
    assert StaffProfile.objects.get(user__email=ADMIN_EMAIL).role == Role.CAF_ADMIN
    follow_invitation(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert "Caf Landes" in client.get(reverse("home")).content.decode()

    # --- 2. The Landes administrator: territories, communes, rules, documents, carrier, ----
    # campaign.
    for name in ("Grand Dax", "Marsan Agglomération", "Haute Lande"):
        no_errors(client.post(reverse("territory_list"), {"name": name}))
    assert set(Territory.objects.filter(caf=caf).values_list("name", flat=True)) == {
        "Grand Dax",
        "Marsan Agglomération",
        "Haute Lande",
    }
    upload = SimpleUploadedFile(
        "communes-landes.csv", COMMUNES_CSV.encode("utf-8"), content_type="text/csv"
    )
    preview = client.post(reverse("commune_import"), {"file": upload})
    page = preview.content.decode()
    assert "4 créations, 0 mises à jour" in page and "Confirmer l'import" in page
    assert not Commune.objects.filter(caf=caf).exists()  # the preview writes nothing
    no_errors(client.post(reverse("commune_import_confirm")))
    dax = Commune.objects.get(insee_code="40088")
    assert dax.caf == caf and dax.territory.name == "Grand Dax" and not dax.is_rural
    assert Commune.objects.get(insee_code="40246").is_rural
    assert Commune.objects.filter(caf=caf).count() == 4

    # The Landes rules, posted with every other field as the page shows it.
    page = client.get(reverse("funding:policy"))
    assert page.status_code == 200
    data = posted_like_the_page(
        page.context["form"],
        min_weeks="28",
        sessions_per_week="2",
        session_minutes="60",
        staff_ratio_blocking=False,
        min_cofinancing_share="0,20",
    )
    no_errors(client.post(reverse("funding:policy"), data))
    policy = Caf.objects.get(pk=caf.pk).policy
    assert (policy.min_weeks, policy.sessions_per_week, policy.session_minutes) == (28, 2, 60)
    assert not policy.staff_ratio_blocking
    assert policy.min_cofinancing_share == Decimal("0.20")

    no_errors(
        client.post(
            reverse("projects:campaign_create"),
            {
                "year": str(year),
                "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
                "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
                "forecast_due_on": "",
                "actual_due_on": "",
                "priorities": "Priorité aux collectifs des quartiers prioritaires.",
            },
        )
    )
    campaign = caf.campaigns.get()
    assert campaign.year == year and campaign.opens_on <= today <= campaign.closes_on

    # The Landes ask one document of their own, required in every situation.
    added = client.post(
        reverse("projects:document_type_add"),
        {
            "name": "Projet éducatif de la structure",
            "help_text": "",
            "campaign": "",
            "is_required": "on",
            "position": "1",
        },
        follow=True,
    )
    assert "Pièce « Projet éducatif de la structure » ajoutée" in added.content.decode()
    document = DocumentType.objects.get(caf=caf)
    assert document.is_required and document.campaign is None

    with django_capture_on_commit_callbacks(execute=True):
        no_errors(
            client.post(
                reverse("projects:carrier_create"),
                {
                    "legal_name": "Amicale laïque de Dax",
                    "siret": "732 829 320 00074",
                    "kind": "association",
                    "address": "12 rue des Arènes",
                    "commune": str(dax.pk),
                    "contact_name": "Pierre Darriet",
                    "email": "contact@amicale-dax.example",
                    "user_email": CARRIER_EMAIL,
                    "user_first_name": "Pierre",
                    "user_last_name": "Darriet",
                },
            )
        )
    carrier = Carrier.objects.get(siret="73282932000074")
    assert carrier.caf == caf and carrier.memberships.get().user.email == CARRIER_EMAIL

    # --- 3. The carrier's user answers the invitation and files its request. ---------------
    follow_invitation(client, CARRIER_EMAIL, CARRIER_PASSWORD)
    no_errors(
        client.post(
            reverse("projects:create"),
            {
                "carrier": str(carrier.pk),
                "campaign": str(campaign.pk),
                "situation": "3",
                "title": "Clas de l'Amicale laïque de Dax",
            },
        )
    )
    project = Project.objects.get(carrier=carrier)

    def step(slug):
        return reverse("projects:step", args=[project.pk, slug])

    no_errors(
        client.post(
            step("structure"),
            {
                "legal_name": "Amicale laïque de Dax",
                "siret": "73282932000074",
                "kind": "association",
                "address": "12 rue des Arènes",
                "legal_representative": "Pierre Darriet",
                "contact_name": "Pierre Darriet",
                "email": "contact@amicale-dax.example",
                "phone": "05 58 00 00 00",
                "go": "next",
            },
        )
    )
    text = "Un texte qui décrit l'action."
    no_errors(
        client.post(
            step("projet"),
            {
                "title": "Clas de l'Amicale laïque de Dax",
                "school_level": "elementaire",
                "axis_children": text,
                "axis_parents": text,
                "axis_school": text,
                "axis_territory": text,
                "objectives": text,
                "partner_schools": "École Jean-Moulin",
                "partner_schemes": "",
                "public_levels": ["CP", "CE1"],
                "premises": "Salle de l'Amicale",
                "coordinator_name": "Karim Aït-Saïd",
                "coordinator_qualification": "DUT carrières sociales",
                "coordinator_has_bac2": "on",
                "go": "next",
            },
        )
    )

    # The collectives step states the Landes' figures, not the Loire's.
    form_page = client.get(reverse("projects:collective_create", args=[project.pk]))
    shown = form_page.content.decode()
    assert "28 semaines au moins" in shown and "2 séances de 60 min au moins" in shown
    collective_url = reverse("projects:collective_create", args=[project.pk])
    no_errors(client.post(collective_url, collective_data(dax, year)))
    collective = project.collectives.get()
    assert (collective.sessions_per_week, collective.session_minutes) == (2, 60)
    assert collective.planned_weeks == 28 and not collective.is_rural

    # 9 000 € of charges, 2 000 € from the commune: 22 % co-financed, above the Landes' 20 %.
    no_errors(
        client.post(
            step("budget"), {"charge_64": "9 000", "subsidy_commune": "2 000", "go": "next"}
        )
    )
    no_errors(
        client.post(
            step("convention"),
            {"convention_years": "1", "convention_reason": "", "go": "next"},
        )
    )
    no_errors(
        client.post(
            step("bonus"),
            {
                "bonus_children_collectives": "0",
                "bonus_children_equipment_cost": "0",
                "bonus_children_speakers_cost": "0",
                "bonus_children_outings_cost": "0",
                "bonus_parents_collectives": "0",
                "bonus_parents_speakers_cost": "0",
                "go": "next",
            },
        )
    )
    pieces = client.get(step("pieces")).content.decode()
    assert "Projet éducatif de la structure" in pieces
    no_errors(
        client.post(
            reverse("projects:attachment_upload", args=[project.pk]),
            {"document_type": str(document.pk), "file": pdf_upload("projet-educatif.pdf")},
        )
    )

    review = client.get(step("recapitulatif")).content.decode()
    assert "Avant de déposer, il manque" not in review
    assert missing_items(Project.objects.get(pk=project.pk)) == []

    submit = reverse("projects:submit", args=[project.pk])
    asked = client.post(submit, deposit_data(confirm=False, signatory="Pierre Darriet"))
    assert asked.status_code == 200 and "Confirmer le dépôt" in asked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        no_errors(client.post(submit, deposit_data(signatory="Pierre Darriet")))
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert project.engaged_as == "Pierre Darriet" and project.engaged_by.email == CARRIER_EMAIL

    # --- 4. The Landes' policy, not code, made the difference. -----------------------------
    # The very same collective, judged by the national defaults (the Loire's referential).
    project = Project.objects.select_related("campaign__caf", "carrier").get(pk=project.pk)
    loire_rules = CollectiveForm(collective_data(dax, year), project=project)
    loire_rules.policy = policy_for(Caf(name="Loire", number="042", departement="42"))
    assert not loire_rules.is_valid()
    assert loire_rules.errors["session_minutes"] == [
        "2 × 60 min par semaine : votre Caf demande 2 séances de 90 min au moins par semaine."
    ]
    landes_rules = CollectiveForm(collective_data(dax, year), project=project)
    assert landes_rules.is_valid(), landes_rules.errors


def test_27_weeks_fall_short_of_the_landes_28_and_the_review_says_so(
    client, django_capture_on_commit_callbacks
):
    """Below the Caf's minimum weeks the referential reduces the PS pro rata (it does not refuse
    the request): the collective is saved, and the review names the Landes' 28 weeks."""
    year = school_year()
    today = timezone.localdate()
    national_admin = UserFactory(is_national_admin=True)
    client.force_login(national_admin)
    no_errors(
        client.post(
            reverse("setup_caf_create"),
            {"number": "400", "name": "Landes", "departement": "40", "is_active": "on"},
        )
    )
    caf = Caf.objects.get(departement="40")
    with django_capture_on_commit_callbacks(execute=True):
        no_errors(
            client.post(
                reverse("setup_caf_invite_admin", args=[caf.pk]),
                {"email": ADMIN_EMAIL, "first_name": "Sophie", "last_name": "Lafitte"},
            )
        )
    follow_invitation(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    for name in ("Grand Dax", "Marsan Agglomération", "Haute Lande"):
        no_errors(client.post(reverse("territory_list"), {"name": name}))
    upload = SimpleUploadedFile("c.csv", COMMUNES_CSV.encode("utf-8"), content_type="text/csv")
    client.post(reverse("commune_import"), {"file": upload})
    no_errors(client.post(reverse("commune_import_confirm")))
    page = client.get(reverse("funding:policy"))
    no_errors(
        client.post(
            reverse("funding:policy"),
            posted_like_the_page(
                page.context["form"], min_weeks="28", sessions_per_week="2", session_minutes="60"
            ),
        )
    )
    no_errors(
        client.post(
            reverse("projects:campaign_create"),
            {
                "year": str(year),
                "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
                "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
            },
        )
    )
    dax = Commune.objects.get(insee_code="40088")
    with django_capture_on_commit_callbacks(execute=True):
        no_errors(
            client.post(
                reverse("projects:carrier_create"),
                {
                    "legal_name": "Amicale laïque de Dax",
                    "siret": "732 829 320 00074",
                    "kind": "association",
                    "commune": str(dax.pk),
                    "email": "contact@amicale-dax.example",
                    "user_email": CARRIER_EMAIL,
                },
            )
        )
    follow_invitation(client, CARRIER_EMAIL, CARRIER_PASSWORD)
    carrier = Carrier.objects.get(siret="73282932000074")
    no_errors(
        client.post(
            reverse("projects:create"),
            {
                "carrier": str(carrier.pk),
                "campaign": str(caf.campaigns.get().pk),
                "situation": "3",
                "title": "Clas de Dax",
            },
        )
    )
    project = Project.objects.get(carrier=carrier)
    url = reverse("projects:collective_create", args=[project.pk])
    no_errors(client.post(url, collective_data(dax, year, planned_weeks="27")))
    review = client.get(reverse("projects:step", args=[project.pk, "recapitulatif"]))
    text = review.content.decode()
    assert "27 semaines d&#x27;activité, sous le minimum de 28 fixé par votre Caf" in text
    assert "minimum de 27" not in text
