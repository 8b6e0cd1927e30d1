"""`{{ field|field_block }}` (clasportal/field_blocks.py) writes what
`{% include "includes/field.html" %}` wrote, to the character, for every kind of field the
portal's forms use: every template now uses the filter (issue 21: an include per field was a
large part of a form page's template time)."""

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from clasportal.templatetags.clas import field_block

HOSTILE = '<script>alert("x")</script> & « guillemets »'


class EveryKind(forms.Form):
    name = forms.CharField(label="Nom", max_length=20, help_text="Tel qu'il figure au RIB.")
    note = forms.CharField(label=HOSTILE, required=False, widget=forms.Textarea)
    children = forms.IntegerField(label="Enfants", min_value=0)
    amount = forms.DecimalField(label="Montant", max_digits=9, decimal_places=2, required=False)
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label="Type", choices=[("", "—"), ("a", "Association"), ("c", HOSTILE)]
    )
    levels = forms.MultipleChoiceField(
        label="Niveaux",
        choices=[("cp", "CP"), ("ce1", "CE1"), ("x", HOSTILE)],
        widget=forms.CheckboxSelectMultiple,
        help_text=mark_safe("Une <em>au moins</em>."),  # noqa: S308 - a safe help text, as in forms
    )
    outcome = forms.ChoiceField(
        label="Avis",
        choices=[("yes", "Favorable"), ("no", "Défavorable")],
        widget=forms.RadioSelect,
        required=False,
    )
    agreed = forms.BooleanField(label="J'atteste l'exactitude", required=True)
    shared = forms.BooleanField(label="Partagée", required=False)
    file = forms.FileField(label="Pièce", required=False)


BOUND = {
    "name": "x" * 30,  # too long: an error
    "note": HOSTILE,
    "children": "-3",
    "amount": "12,5x",
    "day": "31/02/2026",
    "kind": "c",
    "levels": ["cp", "zz"],
    "outcome": "maybe",
    "shared": "on",
}


@pytest.mark.parametrize(
    "form",
    [
        EveryKind(),
        EveryKind(initial={"name": HOSTILE, "levels": ["ce1"], "outcome": "no", "shared": True}),
        EveryKind(data=BOUND),
        EveryKind(data={}, prefix="item12"),
    ],
    ids=["empty", "initial", "bound-with-errors", "prefixed-missing"],
)
def test_the_filter_writes_what_the_include_wrote(form):
    if form.is_bound:
        assert not form.is_valid()
    for field in form:
        included = render_to_string("includes/field.html", {"field": field})
        assert field_block(field) == included, field.name


def test_no_template_includes_the_field_template_any_more():
    """The include stays for the comparison above; pages use the filter."""
    root = Path(settings.BASE_DIR) / "templates"
    users = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'include "includes/field.html"' in path.read_text()
    ]
    assert users == []
