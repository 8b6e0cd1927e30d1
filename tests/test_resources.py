"""The Caf's resource library: its administrator adds documents (checked by content like every
upload), its carriers and staff read them where they need them; another Caf sees none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from declarations import bilans
from declarations.models import BilanForm, Resource
from projects.models import ProjectStatus

from .request_helpers import pdf_upload

pytestmark = pytest.mark.django_db


def _add(client, **values):
    data = {
        "title": "Référentiel national du Clas",
        "description": "Le texte de la Cnaf",
        "category": "referential",
        "place": "everywhere",
        "position": "1",
        "upload": pdf_upload("referentiel.pdf"),
        **values,
    }
    return client.post(reverse("declarations:resource_add"), data)


def test_the_caf_administrator_fills_the_library(client, loire, vosges):
    client.force_login(loire.caf_admin)
    bad = _add(client, upload=SimpleUploadedFile("charte.exe", b"MZ\x90\x00 not a document"))
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "n&#x27;est pas d&#x27;un type accepté" in text or "n'est pas d'un type accepté" in text
    assert 'value="Référentiel national du Clas"' in text  # the other entries are kept
    assert not Resource.objects.exists()
    assert _add(client).status_code == 302
    resource = Resource.objects.get()
    assert resource.caf == loire.caf and resource.history.count() == 1

    # The Caf's carriers read and download it; another Caf's people do not see it.
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:resources")).content.decode()
    assert "Référentiel national du Clas" in page and "Ajouter un document" not in page
    download = client.get(reverse("declarations:resource_download", args=[resource.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    for person in (vosges.carrier_user, vosges.caf_admin):
        client.force_login(person)
        assert (
            "Référentiel national"
            not in client.get(reverse("declarations:resources")).content.decode()
        )
        assert (
            client.get(reverse("declarations:resource_download", args=[resource.pk])).status_code
            == 404
        )
    # Only the administrator adds and removes.
    client.force_login(loire.advisor)
    assert _add(client).status_code == 403
    client.force_login(loire.caf_admin)
    client.post(reverse("declarations:resource_delete", args=[resource.pk]))
    assert not Resource.objects.exists()


def test_the_bilan_page_offers_the_bilan_documents(client, loire):
    client.force_login(loire.caf_admin)
    _add(client, title="Trame du bilan", place="bilan", category="form")
    _add(client, title="Formulaire bonus", place="request", category="form")
    client.get(reverse("declarations:resources"))  # the confirmations are read here
    loire.project.status = ProjectStatus.APPROVED
    loire.project.save()
    form = bilans.create_form(loire.project.campaign)
    BilanForm.objects.filter(pk=form.pk).update(opens_on="2020-01-01")
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:bilan_fill", args=[loire.project.pk])).content.decode()
    assert "Trame du bilan" in page and "Formulaire bonus" not in page
