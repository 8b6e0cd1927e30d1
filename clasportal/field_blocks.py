"""templates/includes/field.html written by Python (issue 21): a label, the widget, its help and
its errors, to the character. The committee session page writes two forms per agenda item; the
include per field was most of its template time. The widgets themselves are written by the
default form renderer (clasportal/form_renderer.py). tests/test_session_page.py compares both
with the template's output."""

from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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
