"""What every list page shares: the page number and the page size come from the server, never
from the query string as such (a negative, huge or repeated `page`, or a `per_page` asking for
the whole table, is ignored)."""

import copy

from django_tables2 import RequestConfig

MAX_PAGE = 1_000_000


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
