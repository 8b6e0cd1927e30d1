"""Nobody gets stuck (issue 20): a request waiting on its carrier always has a way forward. The
advisor reopens more sections or takes it back, missing documents can always be added, and a
carrier's message reaches the advisor's dashboard and instruction page, answered from there."""

import pytest
from django.urls import reverse

from projects import workflow
from projects.models import Attachment, DocumentType, ProjectMessage, ProjectStatus

from .request_helpers import deposit_data, make_complete, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(loire):
    make_complete(loire.project)
    return workflow.submit(loire.project.pk, by=loire.carrier_user)


def _post(client, user, name, project, data=None):
    client.force_login(user)
    return client.post(reverse(name, args=[project.pk]), data or {}, follow=True)


def _request_changes(client, loire, project, sections, message="À compléter."):
    return _post(
        client,
        loire.advisor,
        "committee:review_request_changes",
        project,
        {"sections": sections, "message": message},
    )


def test_a_request_reopened_twice_then_taken_back_and_unblocked(client, loire, submitted):
    # A Caf adds a required document mid-campaign: the deposited request now lacks it.
    added = DocumentType.objects.create(caf=loire.caf, name="Statuts (associations)")
    _request_changes(client, loire, submitted, ["collectifs"])
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.CHANGES_REQUESTED
    assert submitted.reopened_sections == ["collectifs"]

    # The instruction page still offers a way forward at this status.
    client.force_login(loire.advisor)
    page = client.get(reverse("committee:review", args=[submitted.pk])).content.decode()
    assert "Aucune action d'instruction possible" not in page
    assert "Reprendre l'instruction" in page and "Rouvrir d'autres sections" in page

    # The advisor reopens one more section: both stay open to the carrier.
    _request_changes(client, loire, submitted, ["budget"], "Le budget aussi.")
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.CHANGES_REQUESTED
    assert submitted.reopened_sections == ["collectifs", "budget"]

    # The missing document is addable although « pièces » was not reopened.
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:step", args=[submitted.pk, "pieces"])).content.decode()
    assert "Joindre le fichier" in page and "lecture seule" not in page
    response = client.post(
        reverse("projects:attachment_upload", args=[submitted.pk]),
        {"document_type": added.pk, "file": pdf_upload("statuts.pdf")},
        follow=True,
    )
    assert response.status_code == 200
    assert Attachment.objects.filter(project=submitted, document_type=added).exists()
    # The carrier deposits again, after confirming.
    response = _post(client, loire.carrier_user, "projects:submit", submitted, deposit_data())
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.SUBMITTED, response.content.decode()

    # Another round, this time taken back by the advisor without waiting for the carrier.
    _request_changes(client, loire, submitted, ["projet"])
    _post(client, loire.advisor, "committee:review_take_back", submitted)
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.UNDER_REVIEW
    assert submitted.reopened_sections == []


def test_a_missing_document_is_addable_while_the_request_waits(client, loire, submitted):
    added = DocumentType.objects.create(caf=loire.caf, name="Projet éducatif")
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:step", args=[submitted.pk, "pieces"])).content.decode()
    assert "vous pouvez joindre les pièces manquantes" in page
    # Only the missing documents: not another kind of file.
    response = client.post(
        reverse("projects:attachment_upload", args=[submitted.pk]),
        {"document_type": "", "file": pdf_upload("autre.pdf")},
    )
    assert "Choisissez la pièce." in response.content.decode()
    client.post(
        reverse("projects:attachment_upload", args=[submitted.pk]),
        {"document_type": added.pk, "file": pdf_upload("projet.pdf")},
    )
    assert Attachment.objects.filter(project=submitted, document_type=added).count() == 1
    # Once nothing is missing, the section is read-only again.
    page = client.get(reverse("projects:step", args=[submitted.pk, "pieces"])).content.decode()
    assert "Joindre le fichier" not in page
    response = client.post(
        reverse("projects:attachment_upload", args=[submitted.pk]),
        {"document_type": added.pk, "file": pdf_upload("encore.pdf")},
        follow=True,
    )
    assert Attachment.objects.filter(project=submitted, document_type=added).count() == 1


def test_a_carrier_message_reaches_the_advisor_who_answers_from_the_instruction_page(
    client, loire, submitted
):
    _post(
        client,
        loire.carrier_user,
        "projects:message_post",
        submitted,
        {"body": "Je ne peux pas joindre les statuts, pouvez-vous m'aider ?"},
    )
    client.force_login(loire.advisor)
    dashboard = client.get(reverse("home")).content.decode()
    assert "Nouveaux messages des porteurs (1)" in dashboard
    assert reverse("committee:review", args=[submitted.pk]) in dashboard
    page = client.get(reverse("committee:review", args=[submitted.pk])).content.decode()
    assert "Échanges avec le porteur" in page
    assert "pouvez-vous m&#x27;aider" in page
    response = _post(
        client,
        loire.advisor,
        "projects:message_post",
        submitted,
        {"body": "Je rouvre les pièces.", "back": "review"},
    )
    assert response.redirect_chain[-1][0] == reverse("committee:review", args=[submitted.pk])
    assert ProjectMessage.objects.filter(project=submitted, from_caf=True).exists()
    dashboard = client.get(reverse("home")).content.decode()
    assert "Nouveaux messages des porteurs" in dashboard
    assert "Aucun message sans réponse." in dashboard


def test_the_dashboard_to_do_and_the_project_page_lead_to_the_instruction_page(
    client, loire, submitted
):
    client.force_login(loire.advisor)
    review_url = reverse("committee:review", args=[submitted.pk])
    assert review_url in client.get(reverse("home")).content.decode()
    page = client.get(reverse("projects:detail", args=[submitted.pk])).content.decode()
    assert review_url in page and "Échanges avec le porteur" in page
    assert "Échanges avec la Caf" not in page


def test_modifier_les_sections_rouvertes_opens_the_first_reopened_one(client, loire, submitted):
    _request_changes(client, loire, submitted, ["budget", "collectifs"])
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[submitted.pk])).content.decode()
    assert reverse("projects:step", args=[submitted.pk, "collectifs"]) in page
    assert "Sections rouvertes : Les collectifs, Le budget" in page
