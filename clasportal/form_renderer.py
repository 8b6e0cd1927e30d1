"""Form widgets written in Python instead of through a template per widget and per option.

Django renders every widget through the template engine: an ``<input>`` is three template
nodes and an include, a ``<select>`` one include per ``<option>``. On a list page with its
filter form that was a fifth of the page's CPU (issue 21). The four templates below are the
ones nearly every field uses (and the radio and checkbox options a field template writes
one by one); this renderer writes exactly their markup in Python (the same
escaping, the same spacing) and hands any other template (radio buttons, checkboxes lists,
clearable file inputs, crispy-forms' layouts…) to Django's own renderer.
``tests/test_form_renderer.py`` compares both outputs on every kind of value and widget.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeData

from .lists import cell_html as _shown


def _formatted(value):
    """``{{ value|stringformat:'s' }}``: str(), escaped unless the value was already safe."""
    if isinstance(value, SafeData):
        return str(value)
    return _shown(str(value))  # a plain str: escaped as conditional_escape would


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_shown(name)}")
        else:
            parts.append(f' {_shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget):
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _option(option):
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_shown(option['label'])}</option>"
    )


def _option_input(widget):
    """input_option.html (radio and checkbox options): the input, wrapped in its label."""
    if not widget.get("wrap_label"):
        return _input(widget)
    label_id = widget["attrs"].get("id")
    opening = f'<label for="{_shown(label_id)}">' if label_id else "<label>"
    # The included input.html's final newline stays before the label's text.
    return f"{opening}{_input(widget)}\n {_shown(widget['label'])}</label>"


def _select(widget):
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # a widget of its own: Django's templates render it whole
            # The included option template's own final newline stays in Django's output.
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = _shown(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


OPTION = "django/forms/widgets/select_option.html"
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
        "file",
    )
}
WRITERS = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    "django/forms/widgets/select.html": _select,
    OPTION: _option,
    "django/forms/widgets/radio_option.html": _option_input,
    "django/forms/widgets/checkbox_option.html": _option_input,
    "django/forms/widgets/textarea.html": _textarea,
}


class QuickWidgetRenderer(DjangoTemplates):
    """Django's default form renderer, with the common widgets written in Python."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        widget = context.get("widget") if writer is not None else None
        if widget is not None:
            html = writer(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
