"""The agrément list of a session (PDF and XLSX) and the decision letters, built from one query."""

import io
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from weasyprint import HTML

from clasportal.exports import safe_row
from projects.conventions import label_for_length
from projects.models import Collective

from .models import AgendaItem, OtherFinancerDecision

ZERO = Decimal("0")


def agenda_rows(session):
    """One row per project on the agenda, grouped by territory then commune; constant queries."""
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("project__carrier__commune__territory", "decision")
        .annotate(collectives_count=Count("project__collectives", distinct=True))
        .order_by(
            "project__carrier__commune__territory__name",
            "project__carrier__commune__name",
            "project__carrier__legal_name",
            "project__title",
        )
    )
    others = {}
    for other in OtherFinancerDecision.objects.filter(project__agenda_items__session=session):
        others.setdefault(other.project_id, []).append(other)
    # Children of the retained collectives only (the first ones of the request, as the
    # declarations number them), read in one query for the whole agenda (issue 17).
    children_of = {}
    for project_id, children in (
        Collective.objects.filter(project__agenda_items__session=session)
        .order_by("project_id", "pk")
        .values_list("project_id", "planned_children")
    ):
        children_of.setdefault(project_id, []).append(children)
    rows = []
    for item in items:
        project = item.project
        decision = getattr(item, "decision", None)
        collectives = decision.collectives_retained if decision else item.collectives_count
        planned = children_of.get(project.pk, [])[:collectives]
        rows.append(
            {
                "territory": project.carrier.commune.territory.name
                if project.carrier.commune.territory
                else "Hors territoire",
                "commune": project.carrier.commune.name,
                "carrier": project.carrier.legal_name,
                "carrier_id": project.carrier_id,
                "project": project.title,
                "convention": label_for_length(project.convention_years),
                "collectives": collectives,
                "collectives_requested": item.collectives_count,
                "children": sum(planned),
                "ps": decision.forecast_ps if decision else ZERO,
                "bonus": decision.forecast_bonus if decision else ZERO,
                "decision": decision.get_outcome_display() if decision else "À décider",
                "outcome": decision.outcome if decision else "",
                "reason": decision.reason if decision else "",
                "others": others.get(project.pk, []),
            }
        )
    return rows


def grouped(rows):
    groups = OrderedDict()
    for row in rows:
        groups.setdefault(row["territory"], []).append(row)
    return [
        {
            "territory": name,
            "rows": group,
            "ps": sum((r["ps"] for r in group), ZERO),
            "bonus": sum((r["bonus"] for r in group), ZERO),
        }
        for name, group in groups.items()
    ]


def totals(rows):
    approved = [r for r in rows if r["outcome"] == "approved"]
    return {
        "projects": len(rows),
        "approved": len(approved),
        "carriers": len({r["carrier_id"] for r in approved}),
        "collectives": sum(r["collectives"] for r in approved),
        "children": sum(r["children"] for r in approved),
        "ps": sum((r["ps"] for r in rows), ZERO),
        "bonus": sum((r["bonus"] for r in rows), ZERO),
    }


def agrement_pdf(session, rows=None) -> bytes:
    rows = agenda_rows(session) if rows is None else rows
    html = render_to_string(
        "committee/agrement_pdf.html",
        {
            "session": session,
            "groups": grouped(rows),
            "totals": totals(rows),
            "generated_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


def agrement_xlsx(session, rows=None) -> bytes:
    rows = agenda_rows(session) if rows is None else rows
    book = Workbook()
    sheet = book.active
    sheet.title = "Liste d'agrément"
    title = f"Caf {session.caf.name} — comité du {session.date:%d/%m/%Y} — {session.place}"
    sheet.append(safe_row([title]))
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        "Territoire",
        "Commune",
        "Porteur",
        "Projet",
        "Collectifs",
        "Enfants",
        "PS prévisionnelle (€)",
        "Bonus (€)",
        "Décision",
        "Motif",
        "Autres financeurs",
        "Convention",
    ]
    sheet.append([])
    sheet.append(safe_row(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0D5C63")
        cell.alignment = Alignment(wrap_text=True)
    for row in rows:
        sheet.append(
            safe_row(
                [
                    row["territory"],
                    row["commune"],
                    row["carrier"],
                    row["project"],
                    row["collectives"],
                    row["children"],
                    row["ps"],
                    row["bonus"],
                    row["decision"],
                    row["reason"],
                    "; ".join(f"{o.get_financer_display()} {o.amount} €" for o in row["others"]),
                    row["convention"],
                ]
            )
        )
    total = totals(rows)
    sheet.append([])
    sheet.append(
        safe_row(
            [
                "Total",
                "",
                plural(total["carriers"], "porteur"),
                plural(total["approved"], "agréé"),
                total["collectives"],
                total["children"],
                total["ps"],
                total["bonus"],
            ]
        )
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in ("G", "H"):
        for cell in sheet[column][3:]:
            cell.number_format = '#,##0.00 "€"'
    widths = {
        "A": 26,
        "B": 20,
        "C": 32,
        "D": 32,
        "E": 11,
        "F": 9,
        "G": 18,
        "H": 12,
        "I": 12,
        "J": 40,
        "K": 40,
        "L": 26,
    }
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plural(count, word):
    """« 1 porteur », « 2 porteurs », « 0 agréé » (French: the plural starts at 2)."""
    return f"{count} {word}{'s' if count > 1 else ''}"


def letters_by_carrier(session, rows=None):
    rows = agenda_rows(session) if rows is None else rows
    letters = OrderedDict()
    for row in rows:
        letters.setdefault(row["carrier_id"], {"carrier": row["carrier"], "rows": []})
        letters[row["carrier_id"]]["rows"].append(row)
    return letters


def letter_date(session):
    """A letter is dated the day its decisions became final (the session's closing), never
    before the session met; a draft printed before closing carries the day it is printed."""
    if session.closed_at:
        return timezone.localdate(session.closed_at)
    return max(timezone.localdate(), session.date)


def letter_pdf(session, letter) -> bytes:
    html = render_to_string(
        "committee/letter_pdf.html",
        {
            "session": session,
            "letters": [letter],
            "today": letter_date(session),
        },
    )
    return HTML(string=html).write_pdf()


def letters_pdf(session, letters) -> bytes:
    html = render_to_string(
        "committee/letter_pdf.html",
        {
            "session": session,
            "letters": list(letters),
            "today": letter_date(session),
        },
    )
    return HTML(string=html).write_pdf()
