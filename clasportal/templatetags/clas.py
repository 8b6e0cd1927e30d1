"""French formatting used by every template: {{ amount|euros }}, {{ rate|percent }},
{{ value|change }}."""

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html

from clasportal.field_blocks import field_block as quick_field_block
from clasportal.formatting import format_count, format_euros, format_rate

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
def change(value):
    """A change on a year in percent under its figure (« +12,5 % » in green, « -3,0 % » in red),
    nothing when there is no year before. A filter rather than an included template: the figures
    tables show dozens of them (issue 21: an include per cell cost a third of the page)."""
    if value is None:
        return ""
    rising = value >= 0
    return format_html(
        '<span class="small d-block {}">{}{} %</span>',
        "text-success" if rising else "text-danger",
        "+" if rising else "",
        floatformat(value, "1"),
    )


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


@register.filter
def thousands(value):
    """{{ 20000|thousands }} → « 20 000 »."""
    try:
        return format_count(value)
    except (TypeError, ValueError):
        return value
