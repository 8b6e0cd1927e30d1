"""Django's admin for support staff, at /support/: the national administrator reads every domain
model (list, search, detail, history); nobody else gets in (anonymous visitors to the login page,
every other role a 403); nothing can be added, changed or deleted there.

The admin's URLs are left out of the authorization matrix (one per model, all under one include)
and checked here instead, on the index and on one list per registered model."""

import pytest
from django.test import override_settings
from django.urls import reverse

from clasportal.admin_site import support_site
from clasportal.models import Caf, OutboundEmail
from clasportal.settings.test import TEMPLATES

from .factories import UserFactory

pytestmark = pytest.mark.django_db

# The admin's own templates read variables they do not always receive, which the test settings
# otherwise turn into failures (templates/ of the portal keep that guard).
ADMIN_TEMPLATES = [
    {**TEMPLATES[0], "OPTIONS": {**TEMPLATES[0]["OPTIONS"], "string_if_invalid": ""}}
]

EXPECTED_MODELS = {
    "clasportal.caf",
    "clasportal.territory",
    "clasportal.commune",
    "clasportal.user",
    "clasportal.staffprofile",
    "clasportal.outboundemail",
    "projects.carrier",
    "projects.carriermembership",
    "projects.campaign",
    "projects.project",
    "projects.collective",
    "projects.projectevent",
    "declarations.declaration",
    "declarations.payment",
    "committee.committeesession",
    "committee.decision",
    "funding.bareme",
    "funding.cafpolicy",
}


@pytest.fixture(autouse=True)
def admin_templates():
    with override_settings(TEMPLATES=ADMIN_TEMPLATES):
        yield


def changelists():
    return [
        reverse(f"support:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in support_site._registry
    ]


def test_the_domain_models_are_registered():
    registered = {model._meta.label_lower for model in support_site._registry}
    assert EXPECTED_MODELS <= registered


def test_anonymous_visitors_are_sent_to_the_portal_login(client):
    for url in [reverse("support:index"), changelists()[0], reverse("support:login")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize(
    "who",
    [
        "carrier_user",
        "other_carrier_user",
        "advisor",
        "processor",
        "payer",
        "committee",
        "caf_admin",
    ],
)
def test_every_caf_role_gets_a_403(client, loire, who):
    client.force_login(getattr(loire, who))
    assert client.get(reverse("support:index")).status_code == 403
    for url in changelists():
        assert client.get(url).status_code == 403, url
    change = reverse("support:clasportal_caf_change", args=[loire.caf.pk])
    assert client.get(change).status_code == 403


def test_a_django_superuser_without_the_portal_role_gets_a_403(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("support:index")).status_code == 403


def test_the_national_admin_reads_every_list_searches_and_sees_history(
    client, national_admin, loire, vosges
):
    client.force_login(national_admin)
    index = client.get(reverse("support:index"))
    assert index.status_code == 200
    assert "Portail Clas — support" in index.content.decode()
    for url in changelists():
        response = client.get(url)
        assert response.status_code == 200, url
        assert client.get(url, {"q": "Loire"}).status_code == 200, url
    found = client.get(reverse("support:projects_carrier_changelist"), {"q": loire.carrier.siret})
    assert loire.carrier.legal_name in found.content.decode()
    assert vosges.carrier.legal_name not in found.content.decode()

    caf = loire.caf
    caf.name = "Loire renommée"
    caf._change_reason = "Nom corrigé"
    caf.save()
    detail = client.get(reverse("support:clasportal_caf_change", args=[caf.pk]))
    assert detail.status_code == 200
    history = client.get(reverse("support:clasportal_caf_history", args=[caf.pk]))
    assert history.status_code == 200 and "Nom corrigé" in history.content.decode()
    profile = loire.advisor.staff_profile
    assert (
        client.get(
            reverse("support:clasportal_staffprofile_history", args=[profile.pk])
        ).status_code
        == 200
    )


def test_nothing_is_added_changed_or_deleted_there(client, national_admin, loire):
    client.force_login(national_admin)
    caf = loire.caf
    assert client.get(reverse("support:clasportal_caf_add")).status_code == 403
    change = reverse("support:clasportal_caf_change", args=[caf.pk])
    response = client.post(change, {"name": "Piratée", "number": caf.number})
    assert response.status_code == 403
    assert client.post(reverse("support:clasportal_caf_delete", args=[caf.pk])).status_code == 403
    caf.refresh_from_db()
    assert caf.name == "Loire"
    page = client.get(change).content.decode()
    assert 'name="_save"' not in page and "Supprimer" not in page
    assert Caf.objects.filter(pk=caf.pk).exists()


def test_password_hashes_and_password_links_are_not_shown(client, national_admin, loire):
    client.force_login(national_admin)
    user = loire.advisor
    page = client.get(reverse("support:clasportal_user_change", args=[user.pk])).content.decode()
    assert user.password not in page
    email = OutboundEmail.objects.create(
        subject="Votre compte",
        body="Choisissez : https://clas.example/mot-de-passe/nouveau/MTI/abc-0123456789abcdef/\n",
        recipients=[user.email],
    )
    page = client.get(
        reverse("support:clasportal_outboundemail_change", args=[email.pk])
    ).content.decode()
    assert "abc-0123456789abcdef" not in page and "lien retiré" in page
