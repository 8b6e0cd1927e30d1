from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django_tables2 import RequestConfig

from clasportal.models import STAFF_ROLES
from projects.models import Campaign, Project, ProjectStatus

from ..filters import QueueFilter
from ..tables import QueueTable


def queue(request):
    """The advisor's queue: the campaign's projects, own territories first, with counts."""
    if request.user.role not in STAFF_ROLES:
        raise PermissionDenied
    caf = request.user.caf
    campaigns = Campaign.objects.filter(caf=caf).order_by("-year")
    campaign = campaigns.filter(pk=request.GET.get("campagne") or 0).first() or campaigns.first()
    projects = (
        Project.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .exclude(status=ProjectStatus.DRAFT)
        .select_related("carrier__commune__territory")
        .annotate(collectives_count=Count("collectives"))
        .territories_first(request.user)
    )
    project_filter = QueueFilter(request.GET, queryset=projects, caf=caf)
    filtered = project_filter.qs
    # Counted on a plain queryset: the collectives join would multiply the rows.
    plain = Project.objects.filter(pk__in=filtered.values("pk"))
    counts = dict(plain.order_by().values_list("status").annotate(n=Count("id")))
    table = QueueTable(filtered)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(
        request,
        "committee/queue.html",
        {
            "filter": project_filter,
            "table": table,
            "campaign": campaign,
            "campaigns": campaigns,
            "counts": [
                (s, label, counts.get(s, 0))
                for s, label in ProjectStatus.choices
                if s != ProjectStatus.DRAFT
            ],
        },
    )
