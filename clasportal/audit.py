"""The Caf administrator's audit page: who did what on which project, filterable, exported as a
background job (CSV) that holds the lines the page was filtered to."""

import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from committee import jobs
from committee.models import ExportJob
from projects.models import ProjectEvent
from projects.models.exchanges import ACTION_LABELS

from .exports import csv_bytes, register
from .rules import can
from .scoping import get_visible_or_404

FILTERS = ("actor", "action", "project", "from", "to")
HEADERS = ["Date", "Personne", "Action", "Projet", "Porteur", "Avant", "Après", "Commentaire"]


def list_filters(params):
    """The page's filters that mean something, as stored on an export job."""
    filters = {}
    for key in ("actor", "project"):
        # A NUL has no meaning here and PostgreSQL refuses it (the middleware only reads GET).
        value = params.get(key, "").replace("\x00", "").strip()[:200]
        if value:
            filters[key] = value
    if params.get("action") in ACTION_LABELS:
        filters["action"] = params["action"]
    for key in ("from", "to"):
        try:
            filters[key] = datetime.date.fromisoformat(params.get(key, "")).isoformat()
        except ValueError:
            continue
    return filters


def filtered_events(user, params):
    events = ProjectEvent.objects.visible_to(user).select_related("actor", "project__carrier")
    filters = list_filters(params)
    if "actor" in filters:
        events = events.filter(actor__email__icontains=filters["actor"])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "project" in filters:
        events = events.filter(project__title__icontains=filters["project"])
    if "from" in filters:
        events = events.filter(created_at__date__gte=filters["from"])
    if "to" in filters:
        events = events.filter(created_at__date__lte=filters["to"])
    return events


def _events(request):
    if not request.user.has_perm("clasportal.view_audit"):
        raise PermissionDenied
    return filtered_events(request.user, request.GET)


def audit(request):
    events = _events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit.html",
        {
            "page": page,
            "actions": sorted(ACTION_LABELS.items(), key=lambda a: a[1]),
            "params": {k: request.GET.get(k, "") for k in FILTERS},
            "filters": list_filters(request.GET),
        },
    )


@require_POST
def audit_export(request):
    """Queue the CSV of the journal as the page shows it (its filters come in the form)."""
    if not request.user.has_perm("clasportal.view_audit"):
        raise PermissionDenied
    job = jobs.start(
        request, ExportJob.Kind.AUDIT_CSV, caf=request.user.caf, filters=list_filters(request.POST)
    )
    return redirect("audit_export_status", job_pk=job.pk)


def _job(request, job_pk):
    job = get_visible_or_404(
        ExportJob.objects.select_related("created_by"),
        request.user,
        pk=job_pk,
        kind=ExportJob.Kind.AUDIT_CSV,
    )
    if not request.user.has_perm("clasportal.view_audit", job):
        raise PermissionDenied
    return job


def _filters_label(filters):
    parts = []
    if "actor" in filters:
        parts.append(f"personne « {filters['actor']} »")
    if "action" in filters:
        parts.append(f"action « {ACTION_LABELS[filters['action']]} »")
    if "project" in filters:
        parts.append(f"projet « {filters['project']} »")
    if "from" in filters:
        parts.append(f"du {datetime.date.fromisoformat(filters['from']):%d/%m/%Y}")
    if "to" in filters:
        parts.append(f"au {datetime.date.fromisoformat(filters['to']):%d/%m/%Y}")
    return "Filtres : " + ", ".join(parts) if parts else "Toutes les actions"


def audit_export_status(request, job_pk):
    job = _job(request, job_pk)
    url = reverse("audit")
    page = jobs.JobPage(
        status_url=reverse("audit_export_status", args=[job.pk]),
        download_url=reverse("audit_export_download", args=[job.pk]),
        back_url=f"{url}?{urlencode(job.filters)}" if job.filters else url,
        back_label="Retour au journal des actions",
        origin="le journal des actions",
        subject=_filters_label(job.filters),
    )
    return jobs.status_page(request, job, page)


def audit_export_download(request, job_pk):
    return jobs.download(_job(request, job_pk), request)


def _rows(events, progress):
    total = max(events.count(), 1)
    yield HEADERS
    for index, event in enumerate(events.iterator(chunk_size=500), start=1):
        project = event.project
        yield [
            timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M"),
            event.actor.email if event.actor else "système",
            event.get_action_label(),
            project.title if project else "",
            project.carrier.legal_name if project else "",
            event.from_label,
            event.to_label,
            event.note,
        ]
        if index % 500 == 0:
            progress(10 + int(80 * index / total))


@register(ExportJob.Kind.AUDIT_CSV)
def audit_csv(job, progress):
    progress(10)
    # The file holds what its author may see now: a lost permission exports nothing.
    user = job.created_by
    if user is None or not can(user, "clasportal.view_audit"):
        events = ProjectEvent.objects.none()
    else:
        events = filtered_events(user, job.filters)
    return csv_bytes(_rows(events, progress)), "journal-clas.csv"
