"""The Python-written widgets (clasportal/form_renderer.py) write exactly Django's markup."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from clasportal.form_renderer import QuickWidgetRenderer

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def both(form_class, data=None, initial=None):
    """The form's every field rendered by Django's renderer, then by the quick one."""
    outputs = []
    for renderer in (DjangoTemplates(), QuickWidgetRenderer()):
        form = form_class(data=data, initial=initial, renderer=renderer)
        outputs.append([str(field) for field in form])
    return outputs


class Everything(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'})
    )
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    number = forms.DecimalField(required=False, max_digits=10, decimal_places=2)
    integer = forms.IntegerField(required=False, min_value=0)
    email = forms.EmailField(required=False)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    choice = forms.ChoiceField(
        required=False, choices=[("", "Tous"), ("a", "A & b"), ("<x>", "« x »"), (3, 1234)]
    )
    grouped = forms.ChoiceField(
        required=False,
        choices=[("", "—"), ("Groupe <1>", [("g1", "Un"), ("g2", "Deux")]), ("z", "Z")],
    )
    many = forms.MultipleChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    radio = forms.ChoiceField(
        required=False, choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    ticks = forms.MultipleChoiceField(
        required=False, choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    upload = forms.FileField(required=False)
    disabled = forms.CharField(required=False, disabled=True, initial="figé")


def test_the_default_renderer_is_the_quick_one():
    assert settings.FORM_RENDERER == "clasportal.form_renderer.QuickWidgetRenderer"


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "text": "l'été <b>",
            "search": "x&y",
            "number": "1234.5",
            "integer": "12",
            "email": "a@b.fr",
            "when": "2026-07-31",
            "moment": "2026-07-31 10:00",
            "secret": "s",
            "hidden": '"q"',
            "agree": "on",
            "note": "ligne 1\n<script>",
            "choice": "<x>",
            "grouped": "g2",
            "many": ["a", "b"],
            "radio": "b",
            "ticks": ["b"],
        },
        {"number": "pas un nombre", "integer": "-1", "email": "faux", "choice": "inconnu"},
    ],
)
def test_every_widget_is_written_as_django_writes_it(data):
    django, quick = both(Everything, data=data)
    assert quick == django


def test_initial_values_and_safe_strings():
    initial = {
        "number": Decimal("1234.50"),
        "when": datetime.date(2026, 7, 31),
        "moment": datetime.datetime(2026, 7, 31, 8, 5),
        "text": mark_safe("<em>déjà sûr</em>"),
        "note": mark_safe("<p>ok</p>"),
        "choice": 3,
        "agree": True,
    }
    django, quick = both(Everything, initial=initial)
    assert quick == django


@hsettings(max_examples=60, deadline=None)
@given(text=TEXT, note=TEXT, choice=TEXT, label=TEXT, attr=TEXT)
def test_any_text_is_escaped_the_same_way(text, note, choice, label, attr):
    class Free(forms.Form):
        text = forms.CharField(required=False, widget=forms.TextInput(attrs={"data-x": attr}))
        note = forms.CharField(required=False, widget=forms.Textarea)
        pick = forms.ChoiceField(required=False, choices=[(choice, label), ("autre", attr)])

    django, quick = both(Free, data={"text": text, "note": note, "pick": choice})
    assert quick == django


@pytest.mark.django_db
def test_the_portal_filter_forms_are_unchanged(loire):
    advisor = loire.advisor
    from committee.filters import QueueFilter
    from projects.filters import ProjectFilter

    for filterset in (
        ProjectFilter(data={"status": "submitted"}, user=advisor),
        QueueFilter(data={}, user=advisor),
    ):
        form = filterset.form
        rendered = []
        for renderer in (DjangoTemplates(), QuickWidgetRenderer()):
            form.renderer = renderer
            rendered.append([str(field) for field in form])
        assert rendered[0] == rendered[1]
        assert "<select" in "".join(rendered[1])


def test_radio_and_checkbox_options_one_by_one():
    """Field templates loop over a choice field's options (``{{ option.tag }}``): each option is
    then one render of radio_option.html / checkbox_option.html."""
    outputs = []
    for renderer in (DjangoTemplates(), QuickWidgetRenderer()):
        form = Everything(data={"radio": "b", "ticks": ["a"]}, renderer=renderer)
        outputs.append([str(option) for name in ("radio", "ticks") for option in form[name]])
        outputs[-1] += [option.tag() for name in ("radio", "ticks") for option in form[name]]
    assert outputs[1] == outputs[0]
