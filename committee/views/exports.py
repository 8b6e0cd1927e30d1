"""Exports of a session: queued in Celery, a progress page, a download when ready."""

import logging

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..models import ExportJob
from ..tasks import run_export
from .sessions import _session

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ExportJob.Kind.AGREMENT_PDF: "application/pdf",
    ExportJob.Kind.LETTERS: "application/pdf",
    ExportJob.Kind.AGREMENT_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_POST
def export_start(request, pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.export_session", session):
        raise Http404
    kind = request.POST.get("kind")
    if kind not in ExportJob.Kind.values:
        raise Http404
    if kind == ExportJob.Kind.LETTERS and not request.user.has_perm(
        "committee.manage_session", session
    ):
        messages.error(request, "Seul l'administrateur de la Caf envoie les notifications.")
        return redirect("committee:session_detail", pk=session.pk)
    if kind == ExportJob.Kind.LETTERS and session.is_open:
        # A letter notifies a decision: only once the session is closed and its decisions locked.
        messages.error(request, "Les lettres de notification partent une fois le comité clos.")
        return redirect("committee:session_detail", pk=session.pk)
    job = ExportJob.objects.create(session=session, kind=kind, created_by=request.user)
    try:
        run_export.delay(job.pk)
    except Exception:  # broker down: the job stays queued and the beat sends it again
        logger.exception("export %s not queued", job.pk)
        messages.warning(
            request,
            "Le service des tâches est momentanément indisponible : "
            "l'export est en attente et sera relancé automatiquement.",
        )
    return redirect("committee:export_status", pk=session.pk, job_pk=job.pk)


def _job(request, pk, job_pk):
    session = _session(request, pk)
    return session, get_object_or_404(session.exports, pk=job_pk)


def export_status(request, pk, job_pk):
    session, job = _job(request, pk, job_pk)
    template = "committee/_export_status.html" if request.htmx else "committee/export_status.html"
    return render(request, template, {"session": session, "job": job})


def export_download(request, pk, job_pk):
    session, job = _job(request, pk, job_pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[job.kind],
    )
