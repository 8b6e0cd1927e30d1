"""Exports run in Celery with their progress saved on the job; a finished job is never redone.
Each kind is built by the function its app registered in `clasportal.exports`."""

from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from clasportal.exports import builder as registered_builder
from clasportal.exports import register
from clasportal.files import STORAGE_ERRORS
from clasportal.notifications import notify
from projects.models import CarrierMembership

from . import exports
from .models import ExportJob


def _progress(job, value, done=None, total=None):
    fields = {"progress": value, "status": ExportJob.Status.RUNNING}
    if total is not None:
        fields.update(rows_done=done or 0, rows_total=total)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


@shared_task(
    bind=True,
    autoretry_for=(*STORAGE_ERRORS, ExportJob.DoesNotExist),
    retry_backoff=True,
    max_retries=5,
)
def run_export(self, job_id):
    # DoesNotExist is retried: the worker may pick the job before the request that created it commits.
    job = ExportJob.objects.select_related("session__caf", "caf", "created_by").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job.pk
    try:
        content, name = registered_builder(job.kind)(job, partial(_progress, job))
        job.file.save(name, ContentFile(content), save=False)
        job.status, job.progress, job.finished_at = ExportJob.Status.DONE, 100, timezone.now()
        job.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:1000]
        )
        raise
    return job.pk


@register(*ExportJob.SESSION_KINDS)
def session_export(job, progress):
    session = job.session
    progress(10)
    rows = exports.agenda_rows(session)
    progress(30)
    stamp = f"{session.date:%Y%m%d}"
    if job.kind == ExportJob.Kind.AGREMENT_PDF:
        return exports.agrement_pdf(session, rows), f"agrement-{stamp}.pdf"
    if job.kind == ExportJob.Kind.AGREMENT_XLSX:
        return exports.agrement_xlsx(session, rows), f"agrement-{stamp}.xlsx"
    letters = exports.letters_by_carrier(session, rows)
    _send_letters(progress, session, letters, job)
    return exports.letters_pdf(session, letters.values()), f"lettres-{stamp}.pdf"


@register(*ExportJob.PARTNER_KINDS)
def partner_export(job, progress):
    """One partner's own agrément list: its projects and its amounts, with its totals."""
    session = job.session
    partner = job.caf.partners.get(pk=job.filters["partner"])  # one of the job's Caf
    progress(10)
    rows = exports.agenda_rows(session)
    progress(40)
    stamp = f"{session.date:%Y%m%d}-partenaire-{partner.pk}"
    if job.kind == ExportJob.Kind.PARTNER_PDF:
        return exports.agrement_pdf(session, rows, partner=partner), f"agrement-{stamp}.pdf"
    return exports.agrement_xlsx(session, rows, partner=partner), f"agrement-{stamp}.xlsx"


def _send_letters(progress, session, letters, job):
    """One e-mail per carrier, once per job: a job run again (worker killed, broker redelivery)
    skips the letters it already queued."""
    from django.core.files.storage import default_storage

    from clasportal.models import OutboundEmail

    total = max(len(letters), 1)
    memberships = CarrierMembership.objects.filter(carrier_id__in=letters).select_related("user")
    emails = {}
    for membership in memberships:
        emails.setdefault(membership.carrier_id, []).append(membership.user.email)
    for index, (carrier_id, letter) in enumerate(letters.items(), start=1):
        name = f"exports/lettre-{session.pk}-{carrier_id}-j{job.pk}.pdf"
        if OutboundEmail.objects.filter(attachment=name).exists():
            progress(30 + int(60 * index / total))
            continue
        pdf = exports.letter_pdf(session, letter)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(pdf))
        notify(
            subject=f"Décision du comité Clas du {session.date:%d/%m/%Y}",
            body="Bonjour,\n\nVeuillez trouver ci-joint la notification des décisions du comité "
            "départemental concernant vos projets Clas.\n",
            to=emails.get(carrier_id, []),
            attachment=stored,
        )
        progress(30 + int(60 * index / total))


@shared_task
def requeue_pending_exports():
    """Degraded mode: jobs queued while the broker was down are sent again by the beat."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.CLAS_REQUEUE_AFTER_SECONDS)
    for job_id in ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, created_at__lt=stale
    ).values_list("pk", flat=True):
        run_export.delay(job_id)
