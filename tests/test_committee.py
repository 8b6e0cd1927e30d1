"""Committee sessions, decisions locked at closing, the PDF and XLSX agrément list, letters."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from committee.models import CommitteeSession, Decision, ExportJob
from funding.models import FundingComputation
from projects import workflow
from projects.models import ProjectStatus

from .request_helpers import make_complete, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(loire):
    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    from committee.review import propose

    loire.project.refresh_from_db()
    return propose(loire.project.pk, by=loire.advisor, favourable=True, collectives=1)


@pytest.fixture
def session(client, loire, proposed):
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("committee:session_create"),
        {
            "campaign": proposed.campaign.pk,
            "date": "2026-10-14",
            "place": "Saint-Étienne",
            "members": [loire.committee.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = CommitteeSession.objects.get()
    client.post(reverse("committee:session_agenda", args=[session.pk]), {"projects": [proposed.pk]})
    assert session.items.count() == 1
    return session


def decide(client, user, session, data):
    item = session.items.get()
    client.force_login(user)
    payload = {f"item{item.pk}-{k}": v for k, v in data.items()}
    return client.post(
        reverse("committee:session_decide", args=[session.pk, item.pk]), payload, follow=True
    )


def test_committee_approves_and_the_ps_is_frozen(client, loire, session, proposed):
    response = decide(client, loire.committee, session, {"outcome": "approved", "collectives": "1"})
    assert "Décision enregistrée" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == ProjectStatus.APPROVED and proposed.agreed_collectives == 1
    decision = Decision.objects.get()
    # make_complete: 9 000 € of staff, 1 collective, 2026 barème: 0.325 × min(9000, 8652)
    assert decision.forecast_ps == Decimal("2811.90")
    assert decision.computation.is_decision and decision.computation.bareme.year == 2026
    assert FundingComputation.objects.filter(project=proposed, is_decision=True).count() == 1


def test_refusal_must_be_motivated_and_decisions_lock_at_closing(client, loire, session, proposed):
    response = decide(client, loire.committee, session, {"outcome": "refused", "reason": ""})
    assert "doit être motivé" in response.content.decode()
    decide(client, loire.committee, session, {"outcome": "adjourned", "reason": "Budget à revoir"})
    proposed.refresh_from_db()
    assert proposed.status == ProjectStatus.ADJOURNED
    decide(client, loire.committee, session, {"outcome": "approved", "collectives": "1"})
    proposed.refresh_from_db()
    assert proposed.status == ProjectStatus.APPROVED  # revised while open, both traced
    assert proposed.events.filter(action="revise_decision").count() == 1
    client.post(reverse("committee:session_close", args=[session.pk]), {"confirm": "1"})
    session.refresh_from_db()
    assert not session.is_open
    response = decide(client, loire.committee, session, {"outcome": "refused", "reason": "x"})
    assert response.status_code == 200
    proposed.refresh_from_db()
    assert proposed.status == ProjectStatus.APPROVED


@pytest.mark.parametrize("attr", ["advisor", "processor", "caf_admin", "carrier_user"])
def test_only_committee_members_decide(client, loire, session, attr):
    response = decide(
        client, getattr(loire, attr), session, {"outcome": "approved", "collectives": "1"}
    )
    assert response.status_code in (403, 404)
    assert not Decision.objects.exists()


def test_sessions_are_404_across_caf(client, vosges, session):
    client.force_login(vosges.caf_admin)
    assert client.get(reverse("committee:session_detail", args=[session.pk])).status_code == 404
    client.force_login(vosges.committee)
    item = session.items.get()
    url = reverse("committee:session_decide", args=[session.pk, item.pk])
    assert client.post(url, {}).status_code == 404
    assert (
        client.post(
            reverse("committee:export_start", args=[session.pk]), {"kind": "agrement_pdf"}
        ).status_code
        == 404
    )


def test_agrement_pdf_and_xlsx(client, loire, session, proposed):
    from committee.models import PartnerOrganisation
    from committee.review import record_other_financer

    cd = PartnerOrganisation.objects.create(
        caf=loire.caf, kind="departement", name="Conseil départemental"
    )
    record_other_financer(proposed, by=loire.advisor, financer=cd, amount=Decimal("1500.00"))
    decide(client, loire.committee, session, {"outcome": "approved", "collectives": "1"})
    client.force_login(loire.committee)
    response = client.post(
        reverse("committee:export_start", args=[session.pk]), {"kind": "agrement_pdf"}
    )
    job = ExportJob.objects.get(kind="agrement_pdf")
    assert response["Location"] == reverse("committee:export_status", args=[session.pk, job.pk])
    assert job.status == "done" and job.progress == 100
    download = client.get(reverse("committee:export_download", args=[session.pk, job.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Liste d'agrément" in text and "14/10/2026" in text
    assert proposed.carrier.legal_name in text and proposed.title in text
    assert "2 811,90 €" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "Agréé" in text and "Page 1 sur 1" in text
    # Fixed column widths may wrap a cell over lines: compare the words.
    words = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "Conseil départemental" in words and "Total Conseil départemental 1 500,00 €" in words

    client.post(reverse("committee:export_start", args=[session.pk]), {"kind": "agrement_xlsx"})
    job = ExportJob.objects.get(kind="agrement_xlsx")
    download = client.get(reverse("committee:export_download", args=[session.pk, job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    data = [r for r in rows if r[3] == proposed.title][0]
    assert data[2] == proposed.carrier.legal_name
    assert Decimal(str(data[6])) == Decimal("2811.90")
    assert rows[2][11] == "Conseil départemental (€)"
    assert Decimal(str(data[11])) == Decimal("1500.00")
    assert data[8] == "Agréé"


def test_letters_are_emailed_by_the_caf_admin(
    client, loire, session, proposed, django_capture_on_commit_callbacks
):
    decide(client, loire.committee, session, {"outcome": "approved", "collectives": "1"})
    client.force_login(loire.committee)
    client.post(reverse("committee:export_start", args=[session.pk]), {"kind": "letters"})
    assert not ExportJob.objects.filter(kind="letters").exists()
    # Letters notify decisions: none leaves while the session is open (its items may change).
    client.force_login(loire.caf_admin)
    client.post(reverse("committee:export_start", args=[session.pk]), {"kind": "letters"})
    assert not ExportJob.objects.filter(kind="letters").exists()
    client.post(reverse("committee:session_close", args=[session.pk]), {"confirm": "1"})
    session.refresh_from_db()
    assert not session.is_open
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("committee:export_start", args=[session.pk]), {"kind": "letters"})
    job = ExportJob.objects.get(kind="letters")
    assert job.status == "done"
    letter = [m for m in mail.outbox if "Décision du comité" in m.subject]
    assert letter and letter[0].to == [loire.carrier_user.email]
    assert "comité départemental" in pdf_text(letter[0].attachments[0][1])


def test_export_status_polls_with_htmx(client, loire, session):
    job = ExportJob.objects.create(session=session, kind="agrement_pdf", created_by=loire.caf_admin)
    client.force_login(loire.caf_admin)
    response = client.get(
        reverse("committee:export_status", args=[session.pk, job.pk]),
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert 'hx-trigger="every 1s"' in text and "<html" not in text


def test_figures_page(client, loire, session, proposed):
    decide(client, loire.committee, session, {"outcome": "approved", "collectives": "1"})
    client.force_login(loire.caf_admin)
    page = client.get(reverse("declarations:figures")).content.decode()
    assert "2\u202f811,90\u00a0€" in page and "projets agréés" in page
