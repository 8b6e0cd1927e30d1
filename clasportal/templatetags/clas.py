"""French formatting used by every template: {{ amount|euros }}, {{ rate|percent }}."""

from decimal import Decimal, InvalidOperation

from django import template

from clasportal.formatting import format_euros, format_rate
from clasportal.quickwidgets import field_block as quick_field_block

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
def field_block(bound_field):
    """The same as ``{% include "includes/field.html" with field=… only %}``, written by
    Python (issue 21): for fields repeated on every row of a page."""
    return quick_field_block(bound_field, widget_kind(bound_field))


@register.filter
def widget_kind(bound_field):
    """'choices' for a group of checkboxes or radios, 'checkbox' for one, 'input' otherwise."""
    widget = bound_field.field.widget
    if getattr(widget, "allow_multiple_selected", False) and getattr(widget, "input_type", "") in (
        "checkbox",
        "radio",
    ):
        return "choices"
    if getattr(widget, "input_type", "") == "radio":
        return "choices"
    if getattr(widget, "input_type", "") == "checkbox":
        return "checkbox"
    return "input"


@register.filter
def file_size(value):
    """A file's size the French way: « 12 Ko », « 1,4 Mo » (never Kio)."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} octet{'s' if size > 1 else ''}"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
