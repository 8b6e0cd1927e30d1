"""Documents: sniffed type, size limit, private storage, scoped download."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Attachment, DocumentType

from .request_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db


def upload(client, project, name, content, **extra):
    url = reverse("projects:attachment_upload", args=[project.pk])
    document = DocumentType.objects.filter(caf_id=project.campaign.caf_id).first()
    return client.post(
        url, {"document_type": document.pk, "file": SimpleUploadedFile(name, content), **extra}
    )


def test_pdf_is_accepted_and_served_only_to_those_allowed(client, loire, vosges):
    client.force_login(loire.carrier_user)
    response = upload(client, loire.project, "../../Statuts signés.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Statuts signes.pdf"
    assert attachment.content_type == "application/pdf"
    assert "Statuts" not in attachment.file.name  # stored under a random name
    url = reverse("projects:attachment", args=[loire.project.pk, attachment.pk])
    assert client.get(url).status_code == 200
    client.force_login(loire.processor)
    assert client.get(url).status_code == 200
    for user in (loire.other_carrier_user, vosges.carrier_user, vosges.caf_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_renamed_executable_is_refused_with_its_name(client, loire):
    client.force_login(loire.carrier_user)
    response = upload(client, loire.project, "rib.pdf", b"MZ\x90\x00 not a pdf at all")
    assert response.status_code == 200
    assert "« rib.pdf » n&#x27;est pas d&#x27;un type accepté" in response.content.decode()
    assert not Attachment.objects.exists()


def test_office_documents_are_recognised(client, loire):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    client.force_login(loire.carrier_user)
    assert upload(client, loire.project, "bilan.odt", buffer.getvalue()).status_code == 302
    assert Attachment.objects.get().content_type == "application/vnd.oasis.opendocument.text"


def test_too_large_is_refused_with_the_limit(client, loire, settings):
    settings.CLAS_UPLOAD_MAX_BYTES = 1024
    client.force_login(loire.carrier_user)
    response = upload(client, loire.project, "gros.pdf", PDF_BYTES + b"0" * 2048)
    text = response.content.decode()
    assert "« gros.pdf » pèse" in text and "la limite est de" in text
    assert not Attachment.objects.exists()


def test_upload_is_post_only_and_carrier_only(client, loire):
    url = reverse("projects:attachment_upload", args=[loire.project.pk])
    client.force_login(loire.carrier_user)
    assert client.get(url).status_code == 405
    client.force_login(loire.advisor)
    assert upload(client, loire.project, "x.pdf", PDF_BYTES).status_code == 403
