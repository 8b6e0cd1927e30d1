"""Private files go through Django's storage API only: any storage (disk, memory, S3) works, an
unavailable one refuses an upload cleanly (French message, no row without its file), and files
are streamed by the permission-checking views, never by a public URL."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clasportal import files
from committee.models import ExportJob
from committee.tasks import run_export
from projects import workflow
from projects.models import Attachment, DocumentType, ProjectStatus

from .request_helpers import PDF_BYTES, deposit_data, make_complete

pytestmark = pytest.mark.django_db

MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
DOWN = {"BACKEND": "tests.test_storage.UnreachableStorage"}
STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


class UnreachableStorage(InMemoryStorage):
    """An object store that does not answer, as botocore reports it."""

    def _save(self, name, content):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")

    def _open(self, name, mode="rb"):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")


@pytest.fixture
def memory(settings):
    settings.STORAGES = {"default": MEMORY, "staticfiles": STATIC}
    return default_storage


def stored_files(storage, path=""):
    folders, names = storage.listdir(path)
    found = [f"{path}{name}" for name in names]
    for folder in folders:
        found += stored_files(storage, f"{path}{folder}/")
    return found


def upload(client, project, name="rib.pdf"):
    document = DocumentType.objects.filter(caf_id=project.campaign.caf_id).first()
    return client.post(
        reverse("projects:attachment_upload", args=[project.pk]),
        {"document_type": document.pk, "file": SimpleUploadedFile(name, PDF_BYTES)},
    )


def test_an_attachment_is_stored_and_streamed_through_any_storage(client, loire, memory):
    client.force_login(loire.carrier_user)
    assert upload(client, loire.project).status_code == 302
    attachment = Attachment.objects.get()
    assert memory.exists(attachment.file.name)
    assert not os.path.isabs(attachment.file.name)
    response = client.get(reverse("projects:attachment", args=[loire.project.pk, attachment.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    # Another Caf's carrier does not reach it.
    client.force_login(loire.other_carrier_user)
    url = reverse("projects:attachment", args=[loire.project.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_an_upload_is_refused_cleanly_when_the_storage_is_down(client, loire, settings):
    settings.STORAGES = {"default": DOWN, "staticfiles": STATIC}
    client.force_login(loire.carrier_user)
    response = upload(client, loire.project)
    assert response.status_code == 200
    assert "Le stockage des documents est momentanément indisponible" in response.content.decode()
    assert not Attachment.objects.exists()


def test_no_file_is_left_without_its_row(loire, memory):
    document = DocumentType.objects.filter(caf_id=loire.caf.pk).first()
    with (
        mock.patch.object(Attachment, "save", side_effect=RuntimeError("database down")),
        pytest.raises(RuntimeError),
    ):
        files.create_with_file(
            Attachment,
            project=loire.project,
            document_type=document,
            file=SimpleUploadedFile("rib.pdf", PDF_BYTES),
            original_name="rib.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
    assert stored_files(memory) == []


def test_a_download_says_so_in_french_when_the_storage_is_down(client, loire, memory, settings):
    client.force_login(loire.carrier_user)
    upload(client, loire.project)
    attachment = Attachment.objects.get()
    settings.STORAGES = {"default": DOWN, "staticfiles": STATIC}
    response = client.get(reverse("projects:attachment", args=[loire.project.pk, attachment.pk]))
    assert response.status_code == 503
    assert "ne peut pas être téléchargé" in response.content.decode()


def test_the_caf_logo_is_left_out_when_the_object_store_is_down(loire, memory, settings):
    from django.core.files.base import ContentFile

    from clasportal.models import Caf

    loire.caf.logo.save("logo.png", ContentFile(b"\x89PNG logo"), save=True)
    assert Caf.objects.get(pk=loire.caf.pk).logo_data_uri.startswith("data:image/png;base64,")
    settings.STORAGES = {"default": DOWN, "staticfiles": STATIC}
    # botocore's errors are not OSError: they used to escape and break the PDF export.
    assert Caf.objects.get(pk=loire.caf.pk).logo_data_uri == ""


def test_a_deposit_is_undone_whole_when_its_receipt_cannot_be_stored(client, loire, settings):
    make_complete(loire.project)  # documents stored on the test's default storage
    settings.STORAGES = {"default": DOWN, "staticfiles": STATIC}
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("projects:submit", args=[loire.project.pk]), deposit_data(), follow=True
    )
    assert "la demande n&#x27;est pas déposée" in response.content.decode()
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.DRAFT and not loire.project.receipt
    assert not loire.project.events.filter(action="submit").exists()


def test_receipt_and_export_go_through_the_storage(client, loire, memory):
    make_complete(loire.project)
    project = workflow.submit(loire.project.pk, by=loire.carrier_user)
    assert memory.exists(project.receipt.name)
    client.force_login(loire.carrier_user)
    response = client.get(reverse("projects:receipt", args=[project.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    job = ExportJob.objects.create(
        caf=loire.caf, kind="payments_xlsx", filters={}, created_by=loire.processor
    )
    run_export.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and memory.exists(job.file.name)


def test_s3_storage_is_chosen_by_the_environment():
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.default_acl, s.querystring_auth)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clasportal.settings.dev",
        "CLAS_S3_BUCKET": "clas-prive",
        "CLAS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["S3Storage", "clas-prive", "private", "True"]
    env.pop("CLAS_S3_BUCKET")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code.replace(", s.bucket_name, s.default_acl, s.querystring_auth", ""),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["FileSystemStorage"]


def test_s3_storage_round_trip_with_moto(client, loire, settings):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        import boto3

        boto3.client("s3", region_name="eu-west-3").create_bucket(
            Bucket="clas-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        settings.STORAGES = {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "clas-test",
                    "region_name": "eu-west-3",
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": "private",
                    "file_overwrite": False,
                },
            },
            "staticfiles": STATIC,
        }
        client.force_login(loire.carrier_user)
        assert upload(client, loire.project).status_code == 302
        attachment = Attachment.objects.get()
        url = reverse("projects:attachment", args=[loire.project.pk, attachment.pk])
        assert b"".join(client.get(url).streaming_content) == PDF_BYTES
