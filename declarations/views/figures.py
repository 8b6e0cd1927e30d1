"""The figures page: per campaign, what was decided, run and paid, with the change on a year."""

import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from clasportal import rules
from clasportal.exports import safe_cell
from funding.models import Bareme
from projects.models import Campaign

from .. import figures as figures_service
from ..financer_figures import rows as financer_rows

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
    financers, schemes = financer_rows(campaigns, totals)
    return render(
        request,
        "declarations/figures.html",
        {
            "caf": request.user.caf,
            "series": series,
            "current": current,
            "territories": by_territory,
            "financers": financers,
            "schemes": schemes,
            "previous": campaigns[1] if len(campaigns) > 1 else None,
        },
    )


def _national(request):
    if not rules.can(request.user, "declarations.view_national_figures"):
        raise PermissionDenied
    years = list(Campaign.objects.order_by("-year").values_list("year", flat=True).distinct()[:5])
    try:
        year = int(request.GET.get("annee") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    campaigns = list(Campaign.objects.filter(year__in=set(years) | {year}).select_related("caf"))
    totals, _ = figures_service.compute(campaigns)
    per_year = {}
    rows = []
    for campaign in campaigns:
        figures = totals[campaign.pk]
        per_year.setdefault(campaign.year, figures_service.Figures()).merge(figures)
        if campaign.year == year:
            rows.append({"caf": campaign.caf, "campaign": campaign, **figures.as_row()})
    rows.sort(key=lambda r: r["caf"].departement)
    baremes = {b.year: b for b in Bareme.objects.filter(year__in=per_year)}
    series = [
        {"year": y, "bareme": baremes.get(y), **per_year[y].as_row()}
        for y in sorted(per_year, reverse=True)
    ]
    for index, row in enumerate(series):
        previous = series[index + 1] if index + 1 < len(series) else None
        row["changes"] = {k: _change(row[k], previous[k]) if previous else None for k in KEYS}
    national = per_year.get(year, figures_service.Figures()).as_row()
    return {
        "year": year,
        "years": years,
        "rows": rows,
        "national": national,
        "series": series,
        "bareme": baremes.get(year),
    }


def national_figures(request):
    context = _national(request)
    context["page"] = Paginator(context["rows"], 50).get_page(request.GET.get("page"))
    return render(request, "declarations/national_figures.html", context)


def national_figures_xlsx(request):
    from openpyxl import Workbook

    context = _national(request)
    book = Workbook()
    sheet = book.active
    sheet.title = f"Caf {context['year']}"
    header = [
        "Caf",
        "Département",
        "Projets agréés",
        "Porteurs",
        "Collectifs retenus",
        "Enfants prévus",
        "Collectifs réalisés",
        "Enfants réalisés",
        "PS décidée",
        "Bonus décidés",
        "Versé",
    ]
    keys = [
        "projects",
        "carriers",
        "collectives_retained",
        "children_planned",
        "collectives_run",
        "children_run",
        "ps_decided",
        "bonus_decided",
        "paid",
    ]
    sheet.append(header)
    for row in context["rows"]:
        sheet.append([safe_cell(row["caf"].name), row["caf"].departement] + [row[k] for k in keys])
    sheet.append(["France entière", ""] + [context["national"][k] for k in keys])
    years = book.create_sheet("Par année")
    years.append(["Année", "Taux de la PS", "Prix plafond"] + header[2:])
    for row in context["series"]:
        bareme = row["bareme"]
        years.append(
            [
                f"{row['year']}/{row['year'] + 1}",
                bareme.rate if bareme else None,
                bareme.ceiling if bareme else None,
            ]
            + [row[k] for k in keys]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="clas-national-{context["year"]}.xlsx"'
    return response
