"""What every list page shares: the page number and the page size come from the server, never
from the query string as such (a negative, huge or repeated `page`, or a `per_page` asking for
the whole table, is ignored)."""

import copy
import html

from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2 import RequestConfig

MAX_PAGE = 1_000_000
QUICK_TEMPLATE = "includes/quick_table.html"


def page_number(value):
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return min(max(int(value), 1), MAX_PAGE)
    return 1


def configure_table(request, table, per_page=25):
    """Sorting and pagination of a django-tables2 table from a cleaned copy of the query."""
    query = request.GET.copy()
    query.pop(table.prefixed_per_page_field, None)
    query[table.prefixed_page_field] = str(page_number(query.get(table.prefixed_page_field)))
    order = query.get(table.prefixed_order_by_field, "")
    if order.lstrip("-") not in {column.name for column in table.columns if column.orderable}:
        query.pop(table.prefixed_order_by_field, None)
    cleaned = copy.copy(request)
    cleaned.GET = query
    return RequestConfig(cleaned, paginate={"per_page": per_page}).configure(table)


class QuickRows:
    """A django-tables2 table whose body is written by one Python method per row.

    django-tables2 renders each cell through its own machinery (accessor resolution, signature
    inspection of ``render_*`` methods, a template node per cell): 61–82 % of a list page's CPU
    (issue 21). The header, sorting and pagination stay django-tables2's; the table says in
    ``row_cells(record)`` what each cell holds, in column order, and the body is joined here
    with each column's ``<td>`` attributes computed once. The markup is the same as before
    (tests/test_bench.py compares it with django-tables2's own rendering). The table's Meta
    names ``QUICK_TEMPLATE`` as its template."""

    def row_cells(self, record):  # pragma: no cover - each table says its cells
        raise NotImplementedError

    def quick_rows(self):
        columns = list(self.columns)
        # Escaped by django-tables2 (AttributeDict.as_html), as in its own template.
        openings = [f"<td {column.attrs['td'].as_html()}>" for column in columns]
        rows = []
        for row in self.paginated_rows:
            cells = self.row_cells(row.record)
            rows.append(
                format_html(
                    "<tr {}>{}</tr>",
                    row.attrs.as_html(),
                    mark_safe(  # noqa: S308 - every cell passes through cell_html (escaped)
                        "".join(
                            f"{opening}{cell_html(cell)}</td>"
                            for opening, cell in zip(openings, cells, strict=True)
                        )
                    ),
                )
            )
        if not rows and self.empty_text:
            rows.append(
                format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
            )
        return mark_safe("".join(rows))  # noqa: S308 - each row is a format_html result


def cell_html(value):
    """A cell's value as the template engine writes ``{{ value }}``: localized, escaped. A plain
    string (most cells, every attribute name) is escaped directly, as django.utils.html.escape
    does, without its lazy-text wrapper, and a small integer needs no localizing (together a
    tenth of the 300-item agenda page's CPU; tests/test_cell_html.py compares them)."""
    kind = value.__class__
    if kind is str:
        return SafeString(html.escape(value))
    if kind is int and -1000 < value < 1000:
        # No thousands to group: what number_format writes, at a twentieth of its cost.
        return SafeString(value)
    return conditional_escape(localize(value))
