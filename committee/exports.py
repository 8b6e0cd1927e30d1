"""The agrément list of a session (PDF and XLSX) and the decision letters, built from one query."""

import io
from collections import OrderedDict
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from clasportal.exports import safe_row
from clasportal.pdf import html_to_pdf
from projects.conventions import label_for_length
from projects.models import Collective

from .cofinancing import financers_of_rows
from .models import AgendaItem

ZERO = Decimal("0")


def agenda_rows(session):
    """One row per project on the agenda, grouped by territory then commune; constant queries."""
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("project__carrier__commune__territory", "decision")
        .with_collective_figures(children=False)
        .order_by(
            "project__carrier__commune__territory__name",
            "project__carrier__commune__name",
            "project__carrier__legal_name",
            "project__title",
        )
    )
    items = list(items)
    others = financers_of_rows([item.project_id for item in items])
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
                "financers": granted_by_financer(others.get(project.pk, [])),
            }
        )
    return rows


def granted_by_financer(decisions):
    """{financer name: amount granted} of one project (every scheme of a financer added)."""
    amounts = {}
    for decision in decisions:
        if decision.outcome == "granted":
            name = decision.partner.name
            amounts[name] = amounts.get(name, ZERO) + decision.amount
    return amounts


def financer_columns(rows):
    """The co-financers with a decision on this list, in alphabetical order: one column each."""
    return sorted({d.partner.name for row in rows for d in row["others"]})


def financer_totals(rows, columns=None):
    columns = financer_columns(rows) if columns is None else columns
    return [(name, sum((r["financers"].get(name, ZERO) for r in rows), ZERO)) for name in columns]


def with_cells(rows, columns):
    """Each row with its amount per financer column, in the columns' order (for templates)."""
    for row in rows:
        row["financer_cells"] = [row["financers"].get(name) for name in columns]
    return rows


def only_partner(rows, partner):
    """One partner's own list: the projects it decided on or was asked, its amounts only."""
    kept = []
    for row in rows:
        mine = [d for d in row["others"] if d.partner_id == partner.pk]
        if mine:
            kept.append(row | {"others": mine, "financers": granted_by_financer(mine)})
    return kept


def grouped(rows, columns=()):
    groups = OrderedDict()
    for row in rows:
        groups.setdefault(row["territory"], []).append(row)
    return [
        {
            "territory": name,
            "rows": group,
            "ps": sum((r["ps"] for r in group), ZERO),
            "bonus": sum((r["bonus"] for r in group), ZERO),
            "financers": [amount for _, amount in financer_totals(group, columns)],
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


def column_widths(financers):
    """Percent widths of the PDF's columns: the Caf's eight, then one per co-financer (the
    layout is fixed so every territory's table lines up)."""
    base = [11, 15, 17, 7, 6, 10, 8, 12]
    if not financers:
        base[7] += 14
        return base
    share = max(7, 14 // financers) if financers <= 2 else 0
    if share:
        base[7] += 14 - share * financers
        return base + [share] * financers
    # Many financers: the text columns give room, each financer keeps at least 6 %.
    scale = (100 - 6 * financers) / 86
    return [max(4, int(w * scale)) for w in base] + [6] * financers


def agrement_pdf(session, rows=None, partner=None) -> bytes:
    """The agrément list: the Caf's amounts and one column per co-financer, with the totals per
    financer; `partner` gives that partner's own list (its projects, its amounts)."""
    rows = agenda_rows(session) if rows is None else rows
    if partner is not None:
        rows = only_partner(rows, partner)
    columns = [partner.name] if partner is not None else financer_columns(rows)
    html = render_to_string(
        "committee/agrement_pdf.html",
        {
            "session": session,
            "partner": partner,
            "columns": columns,
            "widths": column_widths(len(columns)),
            "groups": grouped(with_cells(rows, columns), columns),
            "totals": totals(rows),
            "financer_totals": financer_totals(rows, columns),
            "generated_at": timezone.localtime(),
        },
    )
    return html_to_pdf(html, xhtml=True)


def agrement_xlsx(session, rows=None, partner=None) -> bytes:
    rows = agenda_rows(session) if rows is None else rows
    if partner is not None:
        rows = only_partner(rows, partner)
    columns = [partner.name] if partner is not None else financer_columns(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = "Liste d'agrément"
    title = f"Caf {session.caf.name} — comité du {session.date:%d/%m/%Y} — {session.place}"
    if partner is not None:
        title += f" — liste de {partner.name}"
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
        "Convention",
        *(f"{name} (€)" for name in columns),
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
                    row["convention"],
                    *(row["financers"].get(name) for name in columns),
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
                "",
                "",
                "",
                *(amount for _, amount in financer_totals(rows, columns)),
            ]
        )
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    money_columns = ["G", "H", *(get_column_letter(12 + i) for i in range(len(columns)))]
    for column in money_columns:
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
        "K": 26,
        **{get_column_letter(12 + i): 20 for i in range(len(columns))},
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
    for letter in letters.values():
        # Every financer's decision on the carrier's projects, the Caf's beside the others'.
        letter["financers"] = [
            (row["project"], decision) for row in letter["rows"] for decision in row["others"]
        ]
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
    return html_to_pdf(html)


def letters_pdf(session, letters) -> bytes:
    html = render_to_string(
        "committee/letter_pdf.html",
        {
            "session": session,
            "letters": list(letters),
            "today": letter_date(session),
        },
    )
    return html_to_pdf(html)
