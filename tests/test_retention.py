"""The retention command lists what it would delete, and deletes only with --appliquer: old
campaigns' documents (files too), sent e-mails, old exports, read notices, login traces;
inactive accounts are deactivated, never deleted; recent things stay."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from clasportal.models import Notice, OutboundEmail
from committee.models import ExportJob
from projects.models import Attachment

from .factories import CampaignFactory, ProjectFactory, UserFactory
from .request_helpers import pdf_upload

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=365 * 11)


def _run(*args):
    out = io.StringIO()
    call_command("clas_retention", *args, stdout=out)
    return out.getvalue()


def test_lists_first_then_applies(loire):
    old_campaign = CampaignFactory(
        caf=loire.caf,
        year=2014,
        opens_on=datetime.date(2014, 6, 1),
        closes_on=datetime.date(2014, 7, 31),
    )
    old_project = ProjectFactory(carrier=loire.carrier, campaign=old_campaign)
    old_piece = Attachment.objects.create(
        project=old_project,
        file=pdf_upload("ancien.pdf"),
        original_name="ancien.pdf",
        content_type="application/pdf",
        size=10,
    )
    recent_piece = Attachment.objects.create(
        project=loire.project,
        file=pdf_upload("recent.pdf"),
        original_name="recent.pdf",
        content_type="application/pdf",
        size=10,
    )
    sent = OutboundEmail.objects.create(
        caf=loire.caf,
        subject="s",
        body="b",
        recipients=["a@b.fr"],
        status="sent",
        sent_at=timezone.now() - datetime.timedelta(days=100),
    )
    fresh = OutboundEmail.objects.create(
        caf=loire.caf,
        subject="s",
        body="b",
        recipients=["a@b.fr"],
        status="sent",
        sent_at=timezone.now(),
    )
    job = ExportJob.objects.create(
        caf=loire.caf, kind="audit_csv", status="done", file=pdf_upload("export.csv")
    )
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    notice = Notice.objects.create(
        user=loire.advisor,
        caf=loire.caf,
        kind="files_waiting",
        key="k",
        title="t",
        body="b",
        read_at=timezone.now() - datetime.timedelta(days=400),
    )
    sleeper = UserFactory()
    type(sleeper).objects.filter(pk=sleeper.pk).update(last_login=LONG_AGO, date_joined=LONG_AGO)

    listing = _run()
    assert "Rien n'est supprimé" in listing
    assert "     1  pièces jointes de campagnes closes depuis plus de 10 ans" in listing
    assert "     1  e-mails envoyés depuis plus de 90 jours" in listing
    assert Attachment.objects.filter(pk=old_piece.pk).exists()
    stored = old_piece.file.name
    assert default_storage.exists(stored)

    _run("--appliquer")
    assert not Attachment.objects.filter(pk=old_piece.pk).exists()
    assert not default_storage.exists(stored)
    assert Attachment.objects.filter(pk=recent_piece.pk).exists()
    assert not OutboundEmail.objects.filter(pk=sent.pk).exists()
    assert OutboundEmail.objects.filter(pk=fresh.pk).exists()
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert not Notice.objects.filter(pk=notice.pk).exists()
    sleeper.refresh_from_db()
    assert not sleeper.is_active and type(sleeper).objects.filter(pk=sleeper.pk).exists()
    # The old project itself, its figures and decisions stay.
    assert type(old_project).objects.filter(pk=old_project.pk).exists()


def test_one_caf_only(loire, vosges):
    for world in (loire, vosges):
        OutboundEmail.objects.create(
            caf=world.caf,
            subject="s",
            body="b",
            recipients=["a@b.fr"],
            status="sent",
            sent_at=timezone.now() - datetime.timedelta(days=100),
        )
    _run("--caf", loire.caf.number, "--appliquer")
    assert list(OutboundEmail.objects.values_list("caf", flat=True)) == [vosges.caf.pk]
    with pytest.raises(Exception, match="Aucune Caf"):
        _run("--caf", "999")
