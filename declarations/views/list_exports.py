"""Start an export of a working list with its filters, follow it, download it."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from clasportal.scoping import get_visible_or_404
from committee import jobs
from committee.models import ExportJob

from .. import list_exports

BACK = {
    "projets": ("projects:list", "Retour aux projets", "la liste des projets"),
    "collectifs": ("projects:list", "Retour aux projets", "la liste des projets"),
    "declarations": ("declarations:queue", "Retour aux déclarations", "la liste des déclarations"),
}


def _allowed(request):
    if not request.user.has_perm("declarations.export_lists"):
        raise PermissionDenied


@require_POST
def list_export(request, what, fmt):
    _allowed(request)
    kind = list_exports.KINDS.get((what, fmt))
    if kind is None:
        raise Http404
    filters = list_exports.kept_filters(list_exports.LISTS[what][0], request.POST)
    job = jobs.start(request, kind, caf=request.user.caf, filters=filters)
    return redirect("declarations:list_export_status", job_pk=job.pk)


def _job(request, job_pk):
    _allowed(request)
    return get_visible_or_404(
        ExportJob.objects.select_related("created_by"),
        request.user,
        pk=job_pk,
        kind__in=ExportJob.LIST_KINDS,
    )


def list_export_status(request, job_pk):
    job = _job(request, job_pk)
    what, _ = list_exports.LIST_OF_KIND[job.kind]
    url_name, back_label, origin = BACK[what]
    back = reverse(url_name)
    if job.filters:
        back = f"{back}?{urlencode(job.filters)}"
    page = jobs.JobPage(
        status_url=reverse("declarations:list_export_status", args=[job.pk]),
        download_url=reverse("declarations:list_export_download", args=[job.pk]),
        back_url=back,
        back_label=back_label,
        origin=origin,
        subject=job.get_kind_display(),
    )
    return jobs.status_page(request, job, page)


def list_export_download(request, job_pk):
    return jobs.download(_job(request, job_pk), request)
