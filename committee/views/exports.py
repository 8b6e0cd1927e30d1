"""Exports of a session: queued in Celery, a progress page, a download when ready."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import jobs
from ..models import ExportJob, PartnerOrganisation
from .sessions import _session


@require_POST
def export_start(request, pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.export_session", session):
        raise Http404
    kind = request.POST.get("kind")
    if kind in ExportJob.PARTNER_KINDS:
        # One partner's own list (issue 18): a partner of the session's Caf.
        partner_id = request.POST.get("partner", "")
        partner = (
            PartnerOrganisation.objects.visible_to(request.user).filter(pk=int(partner_id)).first()
            if partner_id.isascii() and partner_id.isdigit()
            else None
        )
        if partner is None:
            messages.error(request, "Choisissez le financeur dont vous voulez la liste.")
            return redirect("committee:session_detail", pk=session.pk)
        job = jobs.start(
            request, kind, caf=session.caf, session=session, filters={"partner": partner.pk}
        )
        return redirect("committee:export_status", pk=session.pk, job_pk=job.pk)
    if kind not in ExportJob.SESSION_KINDS:
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
    job = jobs.start(request, kind, caf=session.caf, session=session)
    return redirect("committee:export_status", pk=session.pk, job_pk=job.pk)


def _job(request, pk, job_pk):
    session = _session(request, pk)
    return session, get_object_or_404(session.exports, pk=job_pk)


def export_status(request, pk, job_pk):
    session, job = _job(request, pk, job_pk)
    page = jobs.JobPage(
        status_url=reverse("committee:export_status", args=[session.pk, job.pk]),
        download_url=reverse("committee:export_download", args=[session.pk, job.pk]),
        back_url=reverse("committee:session_detail", args=[session.pk]),
        back_label="Retour au comité",
        origin="la page du comité",
        subject=str(session),
    )
    return jobs.status_page(request, job, page)


def export_download(request, pk, job_pk):
    _, job = _job(request, pk, job_pk)
    return jobs.download(job, request)
