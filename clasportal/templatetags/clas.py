"""French formatting used by every template: {{ amount|euros }}, {{ rate|percent }}."""

from decimal import Decimal, InvalidOperation

from django import template

from funding.engine import format_euros, format_rate

register = template.Library()


@register.filter
def euros(value):
    if value is None or value == "":
        return "—"
    try:
        return format_euros(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return "—"


@register.filter
def percent(value):
    if value is None or value == "":
        return "—"
    return format_rate(Decimal(str(value)))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
