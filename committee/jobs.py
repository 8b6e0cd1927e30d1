"""Background export jobs as a page sees them: start one (the broker may be down), show its
progress (polled with htmx), hand over its file. Used by the session exports and by the payment
and audit exports, each with its own URLs and permission."""

import logging
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render

from clasportal import files

from .models import ExportJob
from .tasks import run_export

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def start(request, kind, *, caf, session=None, filters=None):
    """Create the job and queue it; when the broker is down the job stays pending, the beat
    (`requeue_pending_exports`) sends it again and the person is told so."""
    job = ExportJob.objects.create(
        caf=caf, session=session, kind=kind, filters=filters or {}, created_by=request.user
    )
    try:
        run_export.delay(job.pk)
    except Exception:  # broker down: the job stays queued and the beat sends it again
        logger.exception("export %s not queued", job.pk)
        messages.warning(
            request,
            "Le service des tâches est momentanément indisponible : "
            "l'export est en attente et sera relancé automatiquement.",
        )
    return job


@dataclass(frozen=True)
class JobPage:
    """Where a job's status page points: its own URL (polled), its file, the page it came from."""

    status_url: str
    download_url: str
    back_url: str
    back_label: str  # "Retour aux paiements"
    origin: str  # "la page des paiements", in "relancez-le depuis …"
    subject: str = ""  # what was exported: the session, the filters of the list


def status_page(request, job, page):
    if request.htmx:
        return render(request, "committee/_export_status.html", {"job": job, "page": page})
    return render(request, "committee/export_status.html", {"job": job, "page": page})


def download(job, request=None):
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    filename = job.file.name.rsplit("/", 1)[-1]
    return files.stream(
        request,
        job.file,
        filename=filename,
        content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]],
    )
