"""Form widgets written by Python, with the markup of Django's own widget templates (issue 21).

Django renders each widget through its template engine: a template, a context, an include per
option and per attribute list. On the committee session page, 25 agenda items with two forms
each made that 60–70 % of the page's CPU. `QuickRenderer` is a form renderer that writes the
widgets in common use (text, number, checkbox, textarea, select, and the radio or checkbox
options a field template loops over) in Python, with the same markup, and hands any other
template to Django. A form opts in with ``default_renderer = QUICK``; tests/test_session_page.py
compares its output with Django's for every case the portal uses."""

import html
from functools import lru_cache

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe


def conditional_escape(value):
    """django.utils.html.conditional_escape without its lazy-string wrapper (a third of the
    widgets' time): safe values as they are, anything else through html.escape as Django."""
    if hasattr(value, "__html__"):
        return value.__html__()
    if type(value) is str:
        return _escaped(value)
    return html.escape(str(value))


@lru_cache(maxsize=4096)
def _escaped(text):
    # The same class names, ids and choice labels come back on every row of a page.
    return html.escape(text)


def _attrs(attrs):
    # django/forms/widgets/attrs.html: False drops the attribute, True writes its bare name.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    # django/forms/widgets/input.html
    value = widget["value"]
    value = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'
    )


def _input_widget(context):
    # text.html, number.html, checkbox.html…: an include of input.html and a line break.
    return _input(context["widget"]) + "\n"


def _option_input(context):
    # radio_option.html / checkbox_option.html through input_option.html
    widget = context["widget"]
    if not widget.get("wrap_label"):
        return _input(widget) + "\n\n"
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{conditional_escape(label_for)}">' if label_for else "<label>"
    return f"{opening}{_input(widget)} {conditional_escape(widget['label'])}</label>\n\n"


def _textarea(context):
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>\n"
    )


def _select(context):
    widget = context["widget"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


WIDGETS = "django/forms/widgets/"
WRITERS = {
    **{
        f"{WIDGETS}{kind}.html": _input_widget
        for kind in ("text", "number", "email", "hidden", "checkbox", "date", "url", "tel")
    },
    f"{WIDGETS}radio_option.html": _option_input,
    f"{WIDGETS}checkbox_option.html": _option_input,
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class QuickRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is None:
            return super().render(template_name, context, request=request)
        return writer(context).strip()  # as BaseRenderer.render


QUICK = QuickRenderer()


REQUIRED = ' <span class="required" aria-hidden="true">*</span>'


def field_block(field, kind):
    """templates/includes/field.html written by Python, to the character (a label, the
    widget, its help and its errors): `kind` is the `widget_kind` filter's answer."""
    e = conditional_escape
    required = REQUIRED if field.field.required else ""
    if kind == "checkbox":
        body = (
            f'\n    {field}\n    <label class="form-check-label" for="{e(field.auto_id)}">'
            f"{e(field.label)}</label>\n  "
        )
    elif kind == "choices":
        described = f' aria-describedby="err-{e(field.html_name)}"' if field.errors else ""
        options = "".join(
            f'\n      <div class="form-check form-check-inline">{option.tag()}<label '
            f'class="form-check-label" for="{e(option.id_for_label)}">'
            f"{e(option.choice_label)}</label></div>\n      "
            for option in field
        )
        body = (
            f"\n    <fieldset{described}>\n      "
            f'<legend class="form-label fs-6">{e(field.label)}{required}</legend>\n      '
            f"{options}\n    </fieldset>\n  "
        )
    else:
        body = (
            f'\n    <label class="form-label" for="{e(field.auto_id)}">{e(field.label)}'
            f"{required}</label>\n    {field}\n  "
        )
    help_text = (
        f'<div class="form-text" id="{e(field.auto_id)}_helptext">{e(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    errors = "".join(
        f'<div class="invalid-feedback d-block">{e(error)}</div>' for error in field.errors
    )
    return mark_safe(  # noqa: S308 - every value above passes through conditional_escape
        f'\n\n<div class="mb-3{" form-check" if kind == "checkbox" else ""}">\n  {body}\n  '
        f"{help_text}\n  "
        f'<div id="err-{e(field.html_name)}" class="field-errors" role="alert">{errors}</div>\n'
        "\n</div>\n\n"
    )
