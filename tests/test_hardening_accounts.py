"""Accounts hardened (issue 14, items 2, 13 and 10): the login lockout falls on the (login name,
client address) pair read behind the proxy; lost passwords and expired invitations have a way
out, through the outbox, without a usable link left in it; oversized bodies are refused unread."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from projects.models import Attachment, DocumentType

from .request_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)


# --- C. Request bodies capped, gunicorn behind nginx ------------------------------------------------


def test_an_oversized_body_is_refused_unread_in_french(client):
    response = client.post(
        reverse("login"),
        data=b"username=a",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "Envoi trop volumineux" in text and "10 Mo" in text


def test_an_upload_above_the_body_cap_is_not_stored(client, loire, settings):
    settings.CLAS_REQUEST_MAX_BYTES = 50_000
    client.force_login(loire.carrier_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = DocumentType.objects.filter(caf=loire.caf).first()
    response = client.post(
        reverse("projects:attachment_upload", args=[loire.project.pk]),
        {
            "document_type": document.pk,
            "file": SimpleUploadedFile("gros.pdf", PDF_BYTES + b"0" * 100_000),
        },
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()
    small = client.post(
        reverse("projects:attachment_upload", args=[loire.project.pk]),
        {"document_type": document.pk, "file": SimpleUploadedFile("rib.pdf", PDF_BYTES)},
    )
    assert small.status_code == 302 and Attachment.objects.count() == 1


def _service(compose, name):
    match = re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)+)", compose, re.MULTILINE)
    assert match, f"service {name} absent de docker-compose.yml"
    return match.group(1)


def test_nginx_caps_bodies_like_django_and_gunicorn_is_not_published():
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    size = re.search(r"^\s*client_max_body_size\s+(\d+)m;", nginx, re.MULTILINE)
    assert size and int(size.group(1)) * 1024 * 1024 == django_settings.CLAS_REQUEST_MAX_BYTES
    assert "proxy_add_x_forwarded_for" in nginx and "proxy_pass http://clas_web" in nginx

    compose = (ROOT / "docker-compose.yml").read_text()
    web = _service(compose, "web")
    proxy = _service(compose, "proxy")
    assert "ports:" not in web
    assert "image: nginx" in proxy and "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf" in proxy
    assert "ports:" in proxy
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored
