"""The figures a Caf reports (Loire guide): by campaign and territory, with year-on-year change."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.shortcuts import render

from projects.models import Campaign, Collective, Project, ProjectStatus

from ..models import Decision


def _campaign_figures(caf, campaign):
    approved = Project.objects.filter(campaign=campaign, status=ProjectStatus.APPROVED)
    base = approved.aggregate(projects=Count("id"), carriers=Count("carrier", distinct=True))
    collectives = Collective.objects.filter(project__in=approved).aggregate(
        collectives=Count("id"), children=Sum("planned_children")
    )
    money = Decision.objects.filter(item__project__in=approved, outcome="approved").aggregate(
        ps=Sum("forecast_ps"), bonus=Sum("forecast_bonus")
    )
    return {
        "campaign": campaign,
        "projects": base["projects"],
        "carriers": base["carriers"],
        "collectives": collectives["collectives"] or 0,
        "children": collectives["children"] or 0,
        "ps": money["ps"] or Decimal("0"),
        "bonus": money["bonus"] or Decimal("0"),
    }


def _by_territory(campaign):
    rows = (
        Project.objects.filter(campaign=campaign)
        .values("carrier__commune__territory__name")
        .annotate(
            projects=Count("id", filter=Q(status=ProjectStatus.APPROVED), distinct=True),
            submitted=Count("id", filter=~Q(status=ProjectStatus.DRAFT), distinct=True),
            collectives=Count(
                "collectives", filter=Q(status=ProjectStatus.APPROVED), distinct=True
            ),
            ps=Sum(
                "agenda_items__decision__forecast_ps",
                filter=Q(agenda_items__decision__outcome="approved"),
            ),
        )
        .order_by("carrier__commune__territory__name")
    )
    top = max((r["ps"] or 0 for r in rows), default=0) or 1
    return [{**r, "width": int(100 * (r["ps"] or 0) / top)} for r in rows]


def _change(current, previous):
    if not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def figures(request):
    caf = request.user.caf
    if not request.user.has_perm("committee.view_figures"):
        raise PermissionDenied
    campaigns = list(Campaign.objects.visible_to(request.user).order_by("-year")[:5])
    series = [_campaign_figures(caf, c) for c in campaigns]
    keys = ("projects", "carriers", "collectives", "children", "ps", "bonus")
    for index, row in enumerate(series):
        previous = series[index + 1] if index + 1 < len(series) else None
        row["changes"] = {k: _change(row[k], previous[k]) if previous else None for k in keys}
    top = max((r["ps"] for r in series), default=0) or 1
    for row in series:
        row["width"] = int(100 * row["ps"] / top)
    current = campaigns[0] if campaigns else None
    return render(
        request,
        "committee/figures.html",
        {
            "caf": caf,
            "series": series,
            "current": current,
            "territories": _by_territory(current) if current else [],
        },
    )
