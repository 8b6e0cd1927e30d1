from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render

from clasportal.lists import configure_table
from projects.models import Campaign, Project, ProjectStatus

from ..filters import QueueFilter
from ..models import InYearBonusRequest
from ..tables import QueueTable


def queue(request):
    """The advisor's queue: the campaign's projects, own territories first, with counts."""
    if not request.user.has_perm("committee.view_queue"):
        raise PermissionDenied
    campaigns = Campaign.objects.visible_to(request.user).order_by("-year")
    chosen = request.GET.get("campagne", "")
    campaign = (
        campaigns.filter(pk=chosen).first() if chosen.isascii() and chosen.isdigit() else None
    ) or (campaigns.filter(archived_at__isnull=True).first() or campaigns.first())
    projects = (
        Project.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .exclude(status=ProjectStatus.DRAFT)
        .select_related("carrier__commune__territory")
        .with_collective_counts()
        .narrow(*QueueTable.EXTRA_FIELDS)
        .territories_first(request.user)
    )
    project_filter = QueueFilter(request.GET, queryset=projects, user=request.user)
    filtered = project_filter.qs
    # Counted on a plain queryset: the collectives join would multiply the rows.
    plain = Project.objects.filter(pk__in=filtered.values("pk"))
    counts = dict(plain.order_by().values_list("status").annotate(n=Count("id")))
    table = QueueTable(filtered)
    configure_table(request, table, 25)
    return render(
        request,
        "committee/queue.html",
        {
            "filter": project_filter,
            "table": table,
            "campaign": campaign,
            "campaigns": campaigns,
            # Bonuses asked during the year wait on the advisor too (issue 17).
            "pending_bonus_requests": InYearBonusRequest.objects.visible_to(request.user)
            .pending()
            .for_queue(),
            "counts": [
                (s, label, counts.get(s, 0))
                for s, label in ProjectStatus.choices
                if s != ProjectStatus.DRAFT
            ],
        },
    )
