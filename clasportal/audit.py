"""The Caf administrator's audit page: who did what on which project, filterable, exportable."""

import csv
import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from projects.models import ProjectEvent
from projects.models.exchanges import ACTION_LABELS


def _events(request):
    if not request.user.has_perm("clasportal.view_audit"):
        raise PermissionDenied
    events = ProjectEvent.objects.visible_to(request.user).select_related(
        "actor", "project__carrier"
    )
    params = request.GET
    if params.get("actor"):
        events = events.filter(actor__email__icontains=params["actor"])
    if params.get("action") in ACTION_LABELS:
        events = events.filter(action=params["action"])
    if params.get("project"):
        events = events.filter(project__title__icontains=params["project"])
    for key, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        try:
            day = datetime.date.fromisoformat(params.get(key, ""))
        except ValueError:
            continue
        events = events.filter(**{lookup: day})
    return events


def audit(request):
    events = _events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit.html",
        {
            "page": page,
            "actions": sorted(ACTION_LABELS.items(), key=lambda a: a[1]),
            "params": {
                k: request.GET.get(k, "") for k in ("actor", "action", "project", "from", "to")
            },
            "query": request.GET.urlencode(),
        },
    )


def audit_export(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-clas.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["Date", "Personne", "Action", "Projet", "Porteur", "Avant", "Après", "Commentaire"]
    )
    for event in _events(request).iterator(chunk_size=500):
        writer.writerow(
            [
                timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M"),
                event.actor.email if event.actor else "système",
                event.get_action_label(),
                event.project.title,
                event.project.carrier.legal_name,
                event.from_label,
                event.to_label,
                event.note,
            ]
        )
    return response
