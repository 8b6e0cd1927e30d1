from decimal import Decimal

from django import forms

from clasportal.fields import AMOUNT_ERRORS, FrenchDecimalField, amount_field, count_field
from clasportal.forms import StyledFormMixin

from .accounts import CHARGE_ACCOUNTS
from .inputs import DeclarationFigures, build_case
from .kinds import CarrierKind
from .models import Bareme, CafPolicy


class SimulatorForm(StyledFormMixin, forms.Form):
    bareme_year = forms.TypedChoiceField(
        label="Barème (année N de l'année scolaire N/N+1)", coerce=int, choices=()
    )
    carrier_kind = forms.ChoiceField(
        label="Statut juridique du porteur", choices=CarrierKind.choices
    )
    collectives = count_field("Nombre de collectifs", min_value=1, initial=1)
    weeks = count_field("Semaines d'activité sur l'année", max_value=53, initial=30)
    min_weeks = count_field("Minimum de semaines de la Caf", min_value=1, max_value=53, initial=27)
    bonus_children = forms.BooleanField(label="Je demande le bonus « enfants »", required=False)
    bonus_children_collectives = count_field(
        "Collectifs concernés (bonus enfants)", initial=0, required=False
    )
    bonus_parents = forms.BooleanField(label="Je demande le bonus « parents »", required=False)
    bonus_parents_collectives = count_field(
        "Collectifs concernés (bonus parents)", initial=0, required=False
    )

    def __init__(self, *args, min_weeks_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        years = list(Bareme.objects.values_list("year", flat=True))
        self.fields["bareme_year"].choices = [
            (y, f"{y} (année scolaire {y}/{y + 1})") for y in years
        ]
        if years and "bareme_year" not in self.initial:
            self.initial["bareme_year"] = years[0]
        if min_weeks_locked:
            self.fields["min_weeks"].disabled = True
            self.fields["min_weeks"].help_text = "Fixé par votre Caf."

    def charge_fields(self):
        return [self[f"charge_{account}"] for account, _ in CHARGE_ACCOUNTS]

    def clean(self):
        data = super().clean()
        for flag, count in (
            ("bonus_children", "bonus_children_collectives"),
            ("bonus_parents", "bonus_parents_collectives"),
        ):
            collectives = data.get("collectives")
            if data.get(flag) and collectives and (data.get(count) or 0) > collectives:
                self.add_error(
                    count,
                    f"Au plus {collectives} collectifs : un bonus porte sur des collectifs "
                    "du projet.",
                )
        return data

    def to_case(self):
        """The funding contract's case, so the simulator and the CLI compute the same thing."""
        data = self.cleaned_data
        # A count typed without its bonus ticked is not a request: the simulator ignores it.
        return build_case(
            bareme_year=data["bareme_year"],
            carrier_kind=data["carrier_kind"],
            collectives_agreed=data["collectives"],
            min_weeks=data["min_weeks"],
            bonus_children_granted=data["bonus_children"],
            bonus_parents_granted=data["bonus_parents"],
            forecast=DeclarationFigures(
                collectives=data["collectives"],
                weeks=data["weeks"],
                lines=[
                    (account, data[f"charge_{account}"])
                    for account, _ in CHARGE_ACCOUNTS
                    if data.get(f"charge_{account}") is not None
                ],
                bonus_children_collectives=(data["bonus_children_collectives"] or 0)
                if data["bonus_children"]
                else 0,
                bonus_parents_collectives=(data["bonus_parents_collectives"] or 0)
                if data["bonus_parents"]
                else 0,
            ),
        )


for _account, _label in CHARGE_ACCOUNTS:
    SimulatorForm.base_fields[f"charge_{_account}"] = amount_field(_label)


# Engine error fields → simulator form fields.
def form_field_for(error_field):
    if error_field.startswith("forecast.charges."):
        return "charge_" + error_field.rsplit(".", 1)[1]
    if error_field.startswith("forecast."):
        return error_field.split(".", 1)[1]
    if error_field == "collectives_agreed":
        return "collectives"
    return error_field if error_field in SimulatorForm.base_fields else None


DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal"})
_BAREME_DECIMALS = ("rate", "ceiling", "bonus_children", "bonus_parents", "advances_cap")
_POLICY_RATES = (
    "first_advance_rate",
    "second_advance_rate",
    "charges_variation_threshold",
    "budget_imbalance_threshold",
    "min_cofinancing_share",
    "actual_excess_tolerance",
)


class BaremeForm(forms.ModelForm):
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Bareme
        fields = [
            "year",
            "rate",
            "ceiling",
            "bonus_children",
            "bonus_parents",
            "advances_cap",
            "source",
        ]
        help_texts = {
            "rate": "Par exemple 0,325 pour 32,5 %.",
            "advances_cap": "0,70 : les deux acomptes ensemble ne dépassent pas 70 %.",
        }
        error_messages = {
            "year": {"unique": "Un barème existe déjà pour cette année : modifiez-le."},
        }
        field_classes = dict.fromkeys(_BAREME_DECIMALS, FrenchDecimalField)
        localized_fields = _BAREME_DECIMALS
        widgets = dict.fromkeys(_BAREME_DECIMALS, DECIMAL_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _BAREME_DECIMALS:
            self.fields[name].error_messages.update(AMOUNT_ERRORS)
        if self.instance.pk:
            self.fields["year"].disabled = True


class CafPolicyForm(forms.ModelForm):
    class Meta:
        model = CafPolicy
        fields = [
            "min_weeks",
            "min_children",
            "min_children_rural",
            "max_children",
            "sessions_per_week",
            "session_minutes",
            "sessions_per_week_rural",
            "session_minutes_rural",
            "staff_ratio_blocking",
            "one_level_per_request",
            *_POLICY_RATES,
            "bonus_invoices_required",
            "deposit_engagements",
        ]
        field_classes = dict.fromkeys(_POLICY_RATES, FrenchDecimalField)
        localized_fields = _POLICY_RATES
        widgets = {
            **dict.fromkeys(_POLICY_RATES, DECIMAL_INPUT),
            "deposit_engagements": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            **dict.fromkeys(_POLICY_RATES, "Une part entre 0 et 1 : 0,35 pour 35 %."),
            "min_cofinancing_share": "Les produits du budget autres que la PS de la Caf "
            "doivent couvrir au moins cette part des charges : 0,20 pour 20 %. "
            "0 : pas de règle.",
            "actual_excess_tolerance": "Un droit réel au-dessus du prévisionnel validé de plus "
            "de cette part est confirmé expressément par le gestionnaire : 0,05 pour 5 %. "
            "0 : tout dépassement est à confirmer.",
        }

    # The Caf's rules, grouped as the page shows them.
    GROUPS = (
        (
            "Semaines et enfants",
            ("min_weeks", "min_children", "min_children_rural", "max_children"),
        ),
        (
            "Séances",
            (
                "sessions_per_week",
                "session_minutes",
                "sessions_per_week_rural",
                "session_minutes_rural",
            ),
        ),
        (
            "Encadrement, niveaux et budget",
            ("staff_ratio_blocking", "one_level_per_request", "min_cofinancing_share"),
        ),
        (
            "Acomptes et écarts",
            (
                "first_advance_rate",
                "second_advance_rate",
                "charges_variation_threshold",
                "budget_imbalance_threshold",
                "actual_excess_tolerance",
            ),
        ),
        ("Bonus", ("bonus_invoices_required",)),
        ("Engagements au dépôt", ("deposit_engagements",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "sessions_per_week",
            "session_minutes",
            "sessions_per_week_rural",
            "session_minutes_rural",
            "min_weeks",
            "min_children",
            "min_children_rural",
            "max_children",
        ):
            self.fields[name].error_messages.update(
                {
                    "invalid": "Saisissez un nombre entier.",
                    "min_value": "La valeur doit être au moins %(limit_value)s.",
                    "max_value": "La valeur doit être au plus %(limit_value)s.",
                }
            )
        self.fields["actual_excess_tolerance"].required = False
        for name in _POLICY_RATES:
            self.fields[name].error_messages.update(
                {
                    "min_value": "La part doit être au moins %(limit_value)s.",
                    "max_value": "La part doit être au plus %(limit_value)s.",
                }
            )

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def clean_actual_excess_tolerance(self):
        # Left empty: no tolerance, every excess over the forecast is confirmed (issue 17).
        value = self.cleaned_data.get("actual_excess_tolerance")
        return Decimal("0") if value is None else value

    def clean(self):
        data = super().clean()
        low, high = data.get("min_children"), data.get("max_children")
        if low is not None and high is not None and low > high:
            self.add_error("max_children", "Le maximum ne peut pas être inférieur au minimum.")
        rural = data.get("min_children_rural")
        if rural is not None and high is not None and rural > high:
            self.add_error(
                "min_children_rural", "Le minimum rural ne peut pas dépasser le maximum."
            )
        first, second = data.get("first_advance_rate"), data.get("second_advance_rate")
        if first is not None and second is not None and first + second > Decimal("0.70"):
            self.add_error(
                "second_advance_rate",
                "Les deux acomptes ensemble ne peuvent pas dépasser 70 % du droit prévisionnel.",
            )
        return data
