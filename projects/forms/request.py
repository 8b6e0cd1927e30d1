"""Forms of the request steps: structure, project, bonuses, budget."""

from django import forms

from clasportal.forms import StyledFormMixin
from funding.forms import AMOUNT_ERRORS, CHARGE_ACCOUNTS, FrenchDecimalField, amount_field

from ..models import BudgetLine, Carrier, Financer, Project

CLASS_LEVELS = [
    ("CP", "CP"),
    ("CE1", "CE1"),
    ("CE2", "CE2"),
    ("CM1", "CM1"),
    ("CM2", "CM2"),
    ("6e", "6e"),
    ("5e", "5e"),
    ("4e", "4e"),
    ("3e", "3e"),
    ("2nde", "2nde"),
    ("1re", "1re"),
    ("Tle", "Terminale"),
]
PRODUCT_ACCOUNTS = (
    ("70", "70 – Ventes, prestations (participations des familles)"),
    ("73", "73 – Dotations et produits de tarification"),
    ("75", "75 – Autres produits de gestion courante (cotisations, dons)"),
    ("76", "76 – Produits financiers"),
    ("77", "77 – Produits exceptionnels"),
    ("78", "78 – Reprises sur amortissements et provisions"),
    ("870", "870 – Bénévolat"),
    ("871", "871 – Prestations en nature"),
    ("875", "875 – Dons en nature"),
)
TEXTAREA = forms.Textarea(attrs={"rows": 4})


class CarrierForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Carrier
        fields = [
            "legal_name",
            "siret",
            "kind",
            "address",
            "legal_representative",
            "contact_name",
            "email",
            "phone",
        ]
        error_messages = {
            "siret": {"unique": "Ce SIRET est déjà enregistré pour une autre structure."},
            "email": {"invalid": "Saisissez une adresse e-mail valide (ex. nom@structure.fr)."},
        }


class ProjectDescriptionForm(StyledFormMixin, forms.ModelForm):
    public_levels = forms.MultipleChoiceField(
        label="Classes accueillies",
        choices=CLASS_LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "school_level",
            "axis_children",
            "axis_parents",
            "axis_school",
            "axis_territory",
            "objectives",
            "partner_schools",
            "partner_schemes",
            "is_qpv",
            "public_levels",
            "premises",
            "coordinator_name",
            "coordinator_qualification",
            "coordinator_has_bac2",
        ]
        widgets = {
            name: TEXTAREA
            for name in (
                "axis_children",
                "axis_parents",
                "axis_school",
                "axis_territory",
                "objectives",
                "partner_schools",
                "partner_schemes",
                "premises",
            )
        }
        help_texts = {
            "axis_children": "Appui méthodologique, ouverture culturelle, vie collective, "
            "entraide, suivi des présences.",
            "axis_parents": "Information à l'inscription, temps conviviaux, compréhension de "
            "l'école, orientation vers les partenaires.",
            "axis_school": "Relations avec les directeurs, CPE, enseignants ; réunion de "
            "concertation avant le démarrage et au bilan.",
            "axis_territory": "PRE, PEdT, PEL, Cités éducatives, REAAP, associations du quartier.",
        }


class BonusForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "bonus_children_requested",
            "bonus_children_collectives",
            "bonus_children_project",
            "bonus_children_equipment_cost",
            "bonus_children_speakers_cost",
            "bonus_children_outings_cost",
            "bonus_parents_requested",
            "bonus_parents_collectives",
            "bonus_parents_project",
            "bonus_parents_speakers_cost",
            "bonus_parents_specific_actions",
        ]
        _costs = (
            "bonus_children_equipment_cost",
            "bonus_children_speakers_cost",
            "bonus_children_outings_cost",
            "bonus_parents_speakers_cost",
        )
        field_classes = dict.fromkeys(_costs, FrenchDecimalField)
        localized_fields = _costs
        widgets = {
            "bonus_children_project": TEXTAREA,
            "bonus_parents_project": TEXTAREA,
            "bonus_parents_specific_actions": TEXTAREA,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta._costs:
            self.fields[name].error_messages.update(AMOUNT_ERRORS)

    def clean(self):
        data = super().clean()
        count = self.instance.collectives.count() if self.instance.pk else 0
        for flag, field in (
            ("bonus_children_requested", "bonus_children_collectives"),
            ("bonus_parents_requested", "bonus_parents_collectives"),
        ):
            value = data.get(field)
            if data.get(flag) and value is not None and value > count:
                self.add_error(
                    field,
                    f"Le projet compte {count} collectif(s) : un bonus ne "
                    "peut pas en concerner davantage.",
                )
        return data


class BudgetForm(StyledFormMixin, forms.Form):
    """The CERFA 12156 budget: one field per charge account, per product account, per financer."""

    def __init__(
        self, *args, project=None, owner=None, line_model=BudgetLine, fk_name="project", **kwargs
    ):
        # The same layout serves the request's budget and the declarations' (their own lines).
        self.owner = owner if owner is not None else project
        self.line_model, self.fk_name = line_model, fk_name
        super().__init__(*args, **kwargs)
        for account, label in CHARGE_ACCOUNTS:
            self.fields[f"charge_{account}"] = amount_field(label)
        for financer, label in Financer.choices:
            self.fields[f"subsidy_{financer}"] = amount_field(f"74 – Subvention : {label}")
        for account, label in PRODUCT_ACCOUNTS:
            self.fields[f"product_{account}"] = amount_field(label)
        self._apply_styles()
        if not self.is_bound:
            for line in self.existing_lines():
                self.initial[self.field_name(line.account, line.financer)] = line.amount

    def existing_lines(self):
        return self.line_model.objects.filter(**{self.fk_name: self.owner})

    def _apply_styles(self):
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    @staticmethod
    def field_name(account, financer=""):
        if account == "74":
            return f"subsidy_{financer or 'autre'}"
        if account.startswith(("6", "86")):
            return f"charge_{account}"
        return f"product_{account}"

    def charge_fields(self):
        return [self[f"charge_{a}"] for a, _ in CHARGE_ACCOUNTS]

    def subsidy_fields(self):
        return [self[f"subsidy_{f}"] for f, _ in Financer.choices]

    def product_fields(self):
        return [self[f"product_{a}"] for a, _ in PRODUCT_ACCOUNTS]

    def lines(self, valid_only=True):
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        for name, value in data.items():
            if value is None or (valid_only and name in self.errors):
                continue
            kind, key = name.split("_", 1)
            if kind == "subsidy":
                yield "74", key, value
            else:
                yield key, "", value

    def save(self):
        """Writes every valid amount (an invalid one leaves its line as it was)."""
        existing = {(b.account, b.financer): b for b in self.existing_lines()}
        touched = set()
        for name in self.fields:
            if name in self.errors:
                touched.add(name)
        for account, financer, amount in self.lines():
            key = (account, financer)
            line = existing.pop(key, None)
            if line is None:
                self.line_model.objects.create(
                    **{self.fk_name: self.owner}, account=account, financer=financer, amount=amount
                )
            elif line.amount != amount:
                line.amount = amount
                line.save(update_fields=["amount"])
        for (account, financer), line in existing.items():
            if self.field_name(account, financer) not in touched:
                line.delete()  # emptied by the carrier
