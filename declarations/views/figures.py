"""The figures page: per campaign, what was decided, run and paid, with the change on a year."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from clasportal import rules
from projects.models import Campaign

from .. import figures as figures_service

KEYS = (
    "projects",
    "carriers",
    "collectives",
    "children",
    "collectives_retained",
    "children_planned",
    "ps_decided",
    "bonus_decided",
    "collectives_run",
    "children_run",
    "paid",
)


def _change(current, previous):
    if not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def _bars(rows, key):
    top = max((row[key] for row in rows), default=0) or 1
    for row in rows:
        row[f"{key}_width"] = int(100 * row[key] / top)


def figures(request):
    if not rules.can(request.user, "committee.view_figures"):
        raise PermissionDenied
    campaigns = list(Campaign.objects.visible_to(request.user).order_by("-year")[:5])
    totals, territories = figures_service.compute(campaigns)
    series = [{"campaign": c, **totals[c.pk].as_row()} for c in campaigns]
    for index, row in enumerate(series):
        previous = series[index + 1] if index + 1 < len(series) else None
        row["changes"] = {k: _change(row[k], previous[k]) if previous else None for k in KEYS}
    _bars(series, "paid")
    _bars(series, "ps_decided")
    current = campaigns[0] if campaigns else None
    by_territory = []
    if current:
        by_territory = [
            {"name": name, **figures.as_row()}
            for name, figures in sorted(territories[current.pk].items())
        ]
        _bars(by_territory, "ps_decided")
    return render(
        request,
        "declarations/figures.html",
        {
            "caf": request.user.caf,
            "series": series,
            "current": current,
            "territories": by_territory,
        },
    )
