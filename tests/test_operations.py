"""Operations: production settings, the national dataset, the campaign recompute, the audit page,
and the payment rules that protect money already paid."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from committee.models import ExportJob
from declarations import services
from declarations.models import Payment
from funding.recompute import recompute_campaign
from projects.models import Project, ProjectEvent

from .declaration_helpers import approve


def test_production_refuses_to_start_without_secret_and_database():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "clasportal.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


@pytest.mark.django_db
def test_national_dataset_loads_in_bulk_and_recomputes():
    call_command("seed_national", years=2, carriers=40, projects_per_year=60, verbosity=0)
    assert Project.objects.filter(campaign__year=2026).count() == 60
    assert Project.objects.filter(campaign__year=2025).count() == 60
    assert Payment.objects.filter(kind="advance_1").exists()
    from django.db.models import F, Sum

    from committee.models import Decision

    report = recompute_campaign(year=2025)
    approved = Project.objects.filter(campaign__year=2025, status="approved")
    assert report.checked == approved.count() > 0
    # The committee's record of each decision, summed by the database, not by the report.
    decided = Decision.objects.filter(item__project__in=approved).aggregate(
        total=Sum(F("forecast_ps") + F("forecast_bonus"))
    )["total"]
    assert report.stored_total == decided
    with pytest.raises(Exception, match="déjà chargé"):
        call_command("seed_national", years=1, carriers=5, projects_per_year=5, verbosity=0)


@pytest.mark.django_db
def test_a_paid_advance_cannot_change_amount(loire):
    project = approve(loire)
    forecast = services.open_declaration(project, "forecast", by=loire.carrier_user)
    services.submit(forecast.pk, by=loire.carrier_user, justifications={})
    services.validate(forecast.pk, by=loire.processor)
    first = Payment.objects.get(project=project, kind="advance_1")
    first.status = "paid"
    first.save()
    with pytest.raises(services.DeclarationError, match="déjà payé"):
        services._set_payment(
            project,
            forecast,
            forecast.computation,
            "advance_1",
            Decimal("1.00"),
            "to_pay",
            loire.processor,
        )
    first.refresh_from_db()
    assert first.amount == Decimal("984.16")


def test_advances_follow_the_caf_schedule_and_the_cap():
    from types import SimpleNamespace

    policy = SimpleNamespace(
        first_advance_rate=Decimal("0.40"), second_advance_rate=Decimal("0.30")
    )
    first, second = services.split_advances(Decimal("1000.01"), policy, Decimal("0.70"))
    assert (first, second) == (Decimal("400.00"), Decimal("300.00"))
    policy = SimpleNamespace(
        first_advance_rate=Decimal("0.50"), second_advance_rate=Decimal("0.50")
    )
    first, second = services.split_advances(Decimal("100.00"), policy, Decimal("0.70"))
    assert first + second == Decimal("70.00")  # never above the cap


@pytest.mark.django_db
def test_audit_page_filters_exports_and_is_caf_admin_only(client, loire, vosges):
    ProjectEvent.objects.create(
        project=loire.project,
        actor=loire.advisor,
        action="request_changes",
        note="Précisez l'axe école",
    )
    ProjectEvent.objects.create(project=vosges.project, actor=vosges.advisor, action="propose")
    client.force_login(loire.caf_admin)
    page = client.get(reverse("audit"), {"action": "request_changes"}).content.decode()
    assert "Précisez l&#x27;axe école" in page and vosges.project.title not in page
    client.post(reverse("audit_export"))
    job = ExportJob.objects.get(kind="audit_csv")
    download = client.get(reverse("audit_export_download", args=[job.pk]))
    csv_text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert loire.advisor.email in csv_text and vosges.advisor.email not in csv_text
    client.force_login(loire.advisor)
    assert client.get(reverse("audit")).status_code == 403


@pytest.mark.django_db
def test_rib_is_uploaded_from_the_structure_step(client, loire):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .request_helpers import PDF_BYTES

    client.force_login(loire.carrier_user)
    url = reverse("projects:step", args=[loire.project.pk, "structure"])
    assert "Joindre le RIB" in client.get(url).content.decode()
    rib = loire.caf.document_types.get(name__startswith="RIB")
    response = client.post(
        reverse("projects:attachment_upload", args=[loire.project.pk]),
        {
            "back": "structure",
            "document_type": rib.pk,
            "file": SimpleUploadedFile("rib.pdf", PDF_BYTES),
        },
    )
    assert response["Location"] == url
    assert loire.project.attachments.get().document_type == rib
