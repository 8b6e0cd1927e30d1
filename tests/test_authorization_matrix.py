"""Every URL of the portal, requested by every role of another carrier and another Caf, and by
an anonymous visitor. The expected status of each is written once below; a URL without an
entry fails the test, so a new page cannot ship without saying who may see it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from committee.models import ExportJob
from declarations import services as declarations
from declarations.models import DeclarationDocument, Payment
from projects.models import DocumentType

from .declaration_helpers import approve
from .request_helpers import pdf_upload

pytestmark = pytest.mark.django_db

REQUESTERS = (
    "anonymous",
    "other_carrier",
    "far_carrier",
    "far_advisor",
    "far_processor",
    "far_committee",
    "far_caf_admin",
    "national_admin",
)
FAR_STAFF = ("far_advisor", "far_processor", "far_committee", "far_caf_admin")
LOGIN = 302  # anonymous visitors are sent to the login page


def rule(default, **overrides):
    """Expected status for each requester: `default`, except the named ones."""
    expected = {requester: default for requester in REQUESTERS}
    expected["anonymous"] = LOGIN
    for name, status in overrides.items():
        if name == "far_staff":
            expected.update(dict.fromkeys(FAR_STAFF, status))
        elif name == "carriers":
            expected.update(other_carrier=status, far_carrier=status)
        else:
            expected[name] = status
    return expected


OBJECT = rule(404)  # another's object: a 404 for everyone, never a 403 that leaks existence
STAFF_PAGE = rule(200, carriers=403, national_admin=403)
STAFF_OBJECT = rule(404, carriers=403, national_admin=403)

# name: (method, expected)
MATRIX = {
    "home": ("GET", rule(200)),
    "login": ("GET", rule(302, anonymous=200)),
    "logout": ("POST", rule(302)),
    "password_reset_confirm": ("GET", rule(200, anonymous=200)),
    "password_reset_complete": ("GET", rule(200, anonymous=200)),
    "healthz": ("GET", rule(200, anonymous=200)),
    "audit": ("GET", rule(403, far_caf_admin=200)),
    "audit_export": ("GET", rule(403, far_caf_admin=200)),
    "team": ("GET", rule(403, far_caf_admin=200)),
    "team_member": ("GET", rule(403, far_caf_admin=404)),
    "team_member_toggle": ("POST", rule(403, far_caf_admin=404)),
    "projects:list": ("GET", rule(200)),
    "projects:create": ("GET", rule(403, carriers=200)),
    "projects:detail": ("GET", OBJECT),
    "projects:step": ("GET", OBJECT),
    "projects:submit": ("POST", OBJECT),
    "projects:receipt": ("GET", OBJECT),
    "projects:message_post": ("POST", OBJECT),
    "projects:collective_create": ("GET", OBJECT),
    "projects:collective_edit": ("GET", OBJECT),
    "projects:collective_delete": ("POST", OBJECT),
    "projects:attachment_upload": ("POST", OBJECT),
    "projects:attachment": ("GET", OBJECT),
    "projects:attachment_delete": ("POST", OBJECT),
    "projects:carrier_list": ("GET", rule(200)),
    "projects:carrier_detail": ("GET", OBJECT),
    "projects:carrier_invite": ("POST", OBJECT),
    "projects:campaign_list": ("GET", STAFF_PAGE),
    "projects:campaign_edit": ("GET", rule(404, carriers=403, national_admin=403, far_advisor=404)),
    "projects:document_type_add": ("POST", rule(403, far_caf_admin=302)),
    "projects:document_type_delete": ("POST", rule(403, far_caf_admin=404)),
    "funding:simulator": ("GET", rule(200, national_admin=403)),
    "funding:bareme_list": ("GET", rule(200, carriers=403)),
    "funding:bareme_create": ("GET", rule(403, national_admin=200)),
    "funding:bareme_edit": ("GET", rule(403, national_admin=200)),
    "funding:policy": ("GET", rule(403, far_caf_admin=200)),
    "committee:queue": ("GET", STAFF_PAGE),
    "committee:review": ("GET", OBJECT),
    "committee:review_start": ("POST", OBJECT),
    "committee:review_request_changes": ("POST", OBJECT),
    "committee:review_propose": ("POST", OBJECT),
    "committee:review_bonus": ("POST", OBJECT),
    "committee:review_note": ("POST", OBJECT),
    "committee:review_other_financer": ("POST", OBJECT),
    "committee:session_list": ("GET", STAFF_PAGE),
    "committee:session_create": ("GET", rule(403, far_caf_admin=200)),
    "committee:session_detail": ("GET", STAFF_OBJECT),
    "committee:session_agenda": ("POST", STAFF_OBJECT),
    "committee:session_decide": ("POST", STAFF_OBJECT),
    "committee:session_close": ("POST", STAFF_OBJECT),
    "committee:export_start": ("POST", STAFF_OBJECT),
    "committee:export_status": ("GET", STAFF_OBJECT),
    "committee:export_download": ("GET", STAFF_OBJECT),
    "committee:figures": ("GET", STAFF_PAGE),
    "declarations:open": ("POST", OBJECT),
    "declarations:edit": ("GET", OBJECT),
    "declarations:check": ("POST", OBJECT),
    "declarations:upload": ("POST", OBJECT),
    "declarations:document": ("GET", OBJECT),
    "declarations:queue": ("GET", STAFF_PAGE),
    "declarations:process": ("GET", STAFF_OBJECT),
    "declarations:justification": ("POST", OBJECT),
    "declarations:return": ("POST", OBJECT),
    "declarations:validate": ("POST", OBJECT),
    "declarations:payments": ("GET", STAFF_PAGE),
    "declarations:payment_export": ("GET", STAFF_PAGE),
    "declarations:payment_advance": ("POST", rule(403, far_processor=404)),
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def world(loire, vosges):
    """Loire's objects of every kind; Vosges's people and Loire's other carrier ask for them."""
    project = approve(loire, bonus_children=True)
    forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
    found = declarations.findings(forecast)
    declarations.submit(
        forecast.pk, by=loire.carrier_user, justifications={(f.code, f.field): "ok" for f in found}
    )
    document = DeclarationDocument.objects.create(
        declaration=forecast,
        kind="bilan",
        file=pdf_upload(),
        original_name="bilan.pdf",
        content_type="application/pdf",
        size=10,
    )
    session = project.agenda_items.get().session
    job = ExportJob.objects.create(
        session=session, kind="agrement_pdf", status="done", file=pdf_upload("liste.pdf")
    )
    validated = declarations.validate(forecast.pk, by=loire.processor) if not found else forecast
    payment = Payment.objects.filter(project=project).first()
    justification = forecast.justifications.first()
    kwargs = {
        "projects:detail": {"pk": project.pk},
        "projects:step": {"pk": project.pk, "slug": "projet"},
        "projects:submit": {"pk": project.pk},
        "projects:receipt": {"pk": project.pk},
        "projects:message_post": {"pk": project.pk},
        "projects:collective_create": {"pk": project.pk},
        "projects:collective_edit": {
            "pk": project.pk,
            "collective_pk": project.collectives.first().pk,
        },
        "projects:collective_delete": {
            "pk": project.pk,
            "collective_pk": project.collectives.first().pk,
        },
        "projects:attachment_upload": {"pk": project.pk},
        "projects:attachment": {"pk": project.pk, "attachment_pk": project.attachments.first().pk},
        "projects:attachment_delete": {
            "pk": project.pk,
            "attachment_pk": project.attachments.first().pk,
        },
        "projects:carrier_detail": {"pk": loire.carrier.pk},
        "projects:carrier_invite": {"pk": loire.carrier.pk},
        "projects:campaign_edit": {"pk": project.campaign.pk},
        "projects:document_type_delete": {
            "pk": DocumentType.objects.filter(caf=loire.caf).first().pk
        },
        "funding:bareme_edit": {"year": 2026},
        "committee:session_detail": {"pk": session.pk},
        "committee:session_agenda": {"pk": session.pk},
        "committee:session_decide": {"pk": session.pk, "item_pk": session.items.get().pk},
        "committee:session_close": {"pk": session.pk},
        "committee:export_start": {"pk": session.pk},
        "committee:export_status": {"pk": session.pk, "job_pk": job.pk},
        "committee:export_download": {"pk": session.pk, "job_pk": job.pk},
        "declarations:open": {"pk": project.pk, "kind": "actual"},
        "declarations:edit": {"pk": forecast.pk},
        "declarations:check": {"pk": forecast.pk},
        "declarations:upload": {"pk": forecast.pk},
        "declarations:document": {"pk": forecast.pk, "document_pk": document.pk},
        "declarations:process": {"pk": forecast.pk},
        "declarations:justification": {
            "pk": forecast.pk,
            "justification_pk": justification.pk if justification else 1,
        },
        "declarations:return": {"pk": forecast.pk},
        "declarations:validate": {"pk": validated.pk},
        "declarations:payment_export": {"fmt": "csv"},
        "declarations:payment_advance": {"payment_pk": payment.pk if payment else 1},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "team_member": {"pk": loire.advisor.staff_profile.pk},
        "team_member_toggle": {"pk": loire.advisor.staff_profile.pk},
    }
    for name in (
        "committee:review",
        "committee:review_start",
        "committee:review_request_changes",
        "committee:review_propose",
        "committee:review_bonus",
        "committee:review_note",
        "committee:review_other_financer",
    ):
        kwargs[name] = {"pk": project.pk}
    requesters = {
        "other_carrier": loire.other_carrier_user,
        "far_carrier": vosges.carrier_user,
        "far_advisor": vosges.advisor,
        "far_processor": vosges.processor,
        "far_committee": vosges.committee,
        "far_caf_admin": vosges.caf_admin,
    }
    from .factories import UserFactory

    requesters["national_admin"] = UserFactory(is_national_admin=True)
    return kwargs, requesters


def test_every_url_has_an_entry():
    missing = sorted(set(url_names()) - set(MATRIX))
    assert not missing, f"URL sans entrée dans la matrice d'autorisation : {missing}"


def test_authorization_matrix(client, world):
    kwargs, requesters = world
    checked = 0
    failures = []
    for name, (method, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs.get(name, {}))
        for requester in REQUESTERS:
            client.logout()
            if requester != "anonymous":
                client.force_login(requesters[requester])
            response = client.post(url, {}) if method == "POST" else client.get(url)
            status = response.status_code
            if status != expected[requester]:
                failures.append(
                    f"{name} {method} par {requester} : {status}, attendu {expected[requester]}"
                )
            if requester == "anonymous" and expected[requester] == LOGIN:
                assert response["Location"].startswith(reverse("login")), name
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len(MATRIX) * len(REQUESTERS)


def test_get_never_changes_anything(client, world, loire):
    """Every action URL refuses GET (405), so no link or prefetch can change data."""
    kwargs, _ = world
    client.force_login(loire.carrier_user)
    for name, (method, _expected) in MATRIX.items():
        if method != "POST" or name == "logout":
            continue
        response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
        assert response.status_code in (405, 404, 403), name
        if response.status_code != 405:
            client.force_login(loire.caf_admin)
            response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
            client.force_login(loire.carrier_user)
        assert response.status_code in (405, 404, 403), name


def test_every_post_form_carries_a_csrf_token(client, world, loire):
    kwargs, _ = world
    seen = 0
    for user in (
        loire.carrier_user,
        loire.advisor,
        loire.committee,
        loire.caf_admin,
        loire.processor,
    ):
        client.force_login(user)
        for name, (method, _expected) in MATRIX.items():
            if method != "GET" or name in (
                "projects:receipt",
                "projects:attachment",
                "declarations:document",
                "committee:export_download",
                "audit_export",
                "declarations:payment_export",
            ):
                continue
            response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            forms = html.count('method="post"')
            assert html.count("csrfmiddlewaretoken") >= forms, (name, user.role)
            seen += forms
    assert seen > 20
