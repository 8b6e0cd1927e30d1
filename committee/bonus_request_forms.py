"""The carrier's in-year bonus request (the Loire form) and the advisor's decision on it."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst

from clasportal.fields import amount_field
from clasportal.forms import StyledFormMixin

from .bonus_requests import agreed_label
from .models import InYearBonusRequest

COSTS = ("equipment_cost", "speakers_cost", "outings_cost")


class InYearBonusRequestForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = InYearBonusRequest
        fields = [
            "bonus",
            "collectives",
            "description",
            "equipment_cost",
            "speakers_cost",
            "outings_cost",
            "specific_actions",
        ]
        widgets = {
            "bonus": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "specific_actions": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "bonus": {"required": "Choisissez le bonus demandé."},
            "description": {"required": "Décrivez le projet organisé sur toute l'année."},
            "collectives": {
                "required": "Indiquez le nombre de collectifs concernés.",
                "invalid": "Saisissez un nombre entier.",
                "min_value": "Au moins un collectif est concerné.",
                "max_value": "La valeur doit être au plus %(limit_value)s.",
            },
        }

    def __init__(self, *args, choices, agreed, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreed = agreed
        self.fields["bonus"].choices = [
            (value, label) for value, label in InYearBonusRequest.Bonus.choices if value in choices
        ]
        for name in COSTS:
            self.fields[name] = amount_field(capfirst(self.fields[name].label))
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["collectives"].help_text = f"Au plus {agreed_label(agreed)}."

    def clean_collectives(self):
        value = self.cleaned_data["collectives"]
        if value > self.agreed:
            raise forms.ValidationError(
                f"Le bonus concerne au plus {agreed_label(self.agreed)} du projet."
            )
        return value

    def clean(self):
        data = super().clean()
        for name in COSTS:
            data[name] = data.get(name) or Decimal("0")
        which = data.get("bonus")
        # SPEC §4.3: the children's bonus needs at least one cost-generating action; the
        # parents' bonus external speakers at an extra cost or specific actions.
        if which == "children":
            data["specific_actions"] = ""
            if not any(data[name] for name in COSTS):
                self.add_error(
                    "equipment_cost",
                    "Le bonus « enfants » demande au moins un surcoût : matériel, intervenants "
                    "extérieurs ou sorties culturelles.",
                )
        if which == "parents":
            data["equipment_cost"] = data["outings_cost"] = Decimal("0")
            if not data["speakers_cost"] and not (data.get("specific_actions") or "").strip():
                self.add_error(
                    "specific_actions",
                    "Le bonus « parents » demande des intervenants extérieurs (avec leur "
                    "surcoût) ou des actions spécifiques pour les parents.",
                )
        return data

    def request_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BonusDecisionForm(forms.Form):
    granted = forms.TypedChoiceField(
        choices=[("1", "Accorder"), ("0", "Refuser")],
        coerce=lambda value: value == "1",
        error_messages={"required": "Accordez ou refusez le bonus."},
    )
    reason = forms.CharField(
        max_length=1000, error_messages={"required": "Indiquez le motif de la décision."}
    )
