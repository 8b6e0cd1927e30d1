"""Every document about a project is on its page and downloads again: the deposit receipt, the
committee's decision letter, the validated declaration with its computation, and the notice of
each payment made. Each file is a PDF whose text is checked; another carrier gets a 404."""

import html
import re

import pytest
from django.urls import reverse

from committee.sessions import close_session
from declarations import services as declarations
from declarations.models import Payment

from .declaration_helpers import approve
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def _normalise(text):
    return re.sub(r"[\u202f\xa0 ]+", " ", text)


@pytest.fixture
def paid_project(loire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        project = approve(loire)
        forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
        found = declarations.findings(forecast)
        declarations.submit(
            forecast.pk,
            by=loire.carrier_user,
            justifications={(f.code, f.field): "Vacances" for f in found},
        )
        for justification in forecast.justifications.all():
            declarations.decide_justification(justification.pk, by=loire.processor, accepted=True)
        declarations.validate(forecast.pk, by=loire.processor)
        payment = Payment.objects.filter(project=project, kind="advance_1").get()
        declarations.advance_payment(payment.pk, by=loire.payer)
        declarations.advance_payment(payment.pk, by=loire.payer)
        close_session(project.agenda_items.get().session_id, by=loire.caf_admin)
    project.refresh_from_db()
    return project, payment


def test_every_document_on_the_carriers_page_downloads(client, loire, paid_project):
    project, payment = paid_project
    payment.refresh_from_db()
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    section = page.split('aria-label="Documents du projet"')[1].split("</section>")[0]
    links = dict(
        (html.unescape(re.sub(r"<[^>]+>.*", "", label)).strip(), url)
        for url, label in re.findall(r'<a class="me-auto" href="([^"]+)">(.*?)</a>', section)
    )
    convention = project.convention_lines.first().convention
    assert list(links) == [
        "Récépissé de dépôt",
        f"Convention d'objectifs et de financement n° {convention.number}",
        "Déclaration prévisionnelle validée",
        "Avis de paiement — premier acompte",
        f"Lettre de décision — comité du {project.agenda_items.get().session.date:%d/%m/%Y}",
    ]
    expected = {
        "Récépissé de dépôt": [project.title, project.carrier.legal_name],
        "Lettre de décision": [project.title, "Agréé"],
        "Convention d'objectifs": [convention.number, project.carrier.legal_name],
        "Déclaration prévisionnelle validée": [
            project.title,
            "Le calcul pas à pas",
            f"{payment.declaration.right:,.2f}".replace(",", " ").replace(".", ",") + " €",
        ],
        "Avis de paiement": [
            "Avis de paiement",
            "Premier acompte",
            f"{payment.amount:,.2f}".replace(",", " ").replace(".", ",") + " €",
        ],
    }
    for label, url in links.items():
        response = client.get(url)
        assert response.status_code == 200, label
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"%PDF"), label
        text = _normalise(pdf_text(body))
        for fragment in next(v for k, v in expected.items() if label.startswith(k)):
            assert _normalise(fragment) in text, (label, fragment)
    # The same links are nobody else's: another carrier of the Caf gets a 404 on each.
    client.force_login(loire.other_carrier_user)
    for url in links.values():
        assert client.get(url).status_code == 404, url
