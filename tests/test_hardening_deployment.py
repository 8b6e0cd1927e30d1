"""Deployment hardened (issue 14, items 10 and 13): production refuses an e-mail backend that
sends nothing and trusts one proxy; request bodies are capped in Django and in nginx, and
gunicorn is not published."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from projects.models import Attachment, DocumentType

from .request_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)


def _import_production(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("EMAIL_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(SECRET_KEY="x" * 60, DATABASE_URL="sqlite:////tmp/unused.db", **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import clasportal.settings.production as p; print(p.CLAS_TRUSTED_PROXY_COUNT)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("url", ["consolemail://", "memorymail://", "dummymail://"])
def test_production_refuses_an_email_backend_that_sends_nothing(url):
    result = _import_production(EMAIL_URL=url)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_production_starts_with_smtp_and_trusts_one_proxy():
    if not (ROOT / ".env").exists():
        missing = _import_production()
        assert missing.returncode != 0 and "EMAIL_URL" in missing.stderr
    result = _import_production(EMAIL_URL="smtp://smtp.example.invalid:25")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


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
    # The proxying rules are shared by the port-80 server and the TLS one (deploy/nginx-tls.conf).
    shared = (ROOT / "deploy" / "nginx-proxy.conf").read_text()
    assert "include /etc/nginx/clas/proxy.conf;" in nginx
    assert "include /etc/nginx/clas/proxy.conf;" in (ROOT / "deploy" / "nginx-tls.conf").read_text()
    size = re.search(r"^\s*client_max_body_size\s+(\d+)m;", shared, re.MULTILINE)
    assert size and int(size.group(1)) * 1024 * 1024 == django_settings.CLAS_REQUEST_MAX_BYTES
    assert "proxy_add_x_forwarded_for" in shared and "proxy_pass http://clas_web" in shared

    compose = (ROOT / "docker-compose.yml").read_text()
    web = _service(compose, "web")
    proxy = _service(compose, "proxy")
    assert "ports:" not in web
    assert "image: nginx" in proxy and "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf" in proxy
    assert "./deploy/nginx-proxy.conf:/etc/nginx/clas/proxy.conf" in proxy
    assert "ports:" in proxy
    assert "consolemail" not in compose
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored
