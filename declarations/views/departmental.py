"""The departmental bilan for the committee: decisions, actual declarations, payments and the
carriers' answers for one campaign, as a page, a PDF and an XLSX."""

import io

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from weasyprint import HTML

from clasportal import rules
from clasportal.exports import safe_cell
from clasportal.scoping import get_visible_or_404
from projects.models import Campaign

from .. import bilans, figures
from ..models import BilanForm


def _need(request, permission):
    if not rules.can(request.user, permission):
        raise PermissionDenied


def _departmental(request, campaign_pk):
    _need(request, "declarations.view_bilans")
    campaign = get_visible_or_404(
        Campaign.objects.select_related("caf"), request.user, pk=campaign_pk
    )
    totals, territories = figures.compute([campaign])
    row = totals[campaign.pk].as_row()
    shares = figures.area_shares(campaign)
    form = BilanForm.objects.filter(campaign=campaign).first()
    sections, transmitted = bilans.aggregate_answers(form) if form else ([], 0)
    return {
        "campaign": campaign,
        "caf": campaign.caf,
        "row": row,
        "territories": [
            {"name": name, **f.as_row()} for name, f in sorted(territories[campaign.pk].items())
        ],
        "shares": shares,
        "bilan": form,
        "sections": sections,
        "transmitted": transmitted,
        "expected": bilans.projects_expected(form).count() if form else 0,
        "generated_on": timezone.localdate(),
    }


def departmental_bilan(request, campaign_pk):
    context = _departmental(request, campaign_pk)
    context["communes"] = Paginator(context["shares"]["communes"], 50).get_page(
        request.GET.get("page")
    )
    top = (
        max(
            (max(t["children_planned"], t["children_run"]) for t in context["territories"]),
            default=0,
        )
        or 1
    )
    for territory in context["territories"]:
        territory["planned_width"] = int(100 * territory["children_planned"] / top)
        territory["run_width"] = int(100 * territory["children_run"] / top)
    shares = context["shares"]
    context["share_bars"] = [
        ("Milieu rural", shares["rural"]["share"]),
        ("Quartiers prioritaires (QPV)", shares["qpv"]["share"]),
    ]
    return render(request, "declarations/bilan_departmental.html", context)


def departmental_bilan_pdf(request, campaign_pk):
    context = _departmental(request, campaign_pk)
    html = render_to_string("declarations/bilan_departmental_pdf.html", context)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    name = f"bilan-clas-{context['campaign'].year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def departmental_bilan_xlsx(request, campaign_pk):
    context = _departmental(request, campaign_pk)
    book = Workbook()
    sheet = book.active
    sheet.title = "Chiffres"
    row = context["row"]
    sheet.append(["Indicateur", "Valeur"])
    for label, key in FIGURE_LABELS:
        sheet.append([label, row[key]])
    territories = book.create_sheet("Territoires")
    territories.append(
        [
            "Territoire",
            "Projets agréés",
            "Porteurs",
            "Collectifs retenus",
            "Enfants prévus",
            "Collectifs réalisés",
            "Enfants réalisés",
            "PS décidée",
            "Versé",
        ]
    )
    for t in context["territories"]:
        territories.append(
            [
                safe_cell(t["name"]),
                t["projects"],
                t["carriers"],
                t["collectives_retained"],
                t["children_planned"],
                t["collectives_run"],
                t["children_run"],
                t["ps_decided"],
                t["paid"],
            ]
        )
    answers = book.create_sheet("Réponses")
    answers.append(["Partie", "Question", "Réponses", "Total", "Moyenne", "Détail"])
    for section, rows in context["sections"]:
        for item in rows:
            detail = "; ".join(f"{c} : {n}" for c, n in item.get("counts", []))
            answers.append(
                [
                    safe_cell(section),
                    safe_cell(item["question"].text),
                    item["count"],
                    item.get("total"),
                    item.get("mean"),
                    safe_cell(detail),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"bilan-clas-{context['campaign'].year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


FIGURE_LABELS = (
    ("Projets agréés", "projects"),
    ("Porteurs", "carriers"),
    ("Collectifs retenus", "collectives_retained"),
    ("Enfants prévus (collectifs retenus)", "children_planned"),
    ("Projets avec déclaration réelle validée", "actual_projects"),
    ("Collectifs réalisés", "collectives_run"),
    ("Enfants réalisés", "children_run"),
    ("Semaines réalisées", "weeks_run"),
    ("PS décidée", "ps_decided"),
    ("Bonus décidés", "bonus_decided"),
    ("Versé", "paid"),
)
