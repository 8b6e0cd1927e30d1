"""Forms of the request steps: structure, project, bonuses, budget."""

from django import forms
from django.template.defaultfilters import pluralize

from clasportal.fields import AMOUNT_ERRORS, FrenchDecimalField
from clasportal.forms import StyledFormMixin

from ..models import IDENTITY_FIELDS, Carrier, Project

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.identity_is_locked:
            # The Caf knows this identity (a request was deposited): a change goes through a
            # request the Caf validates, from the structure's page. Disabled fields ignore posts.
            for name in IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = (
                    "Connue de la Caf : pour la modifier, faites une demande depuis la page "
                    "de votre structure."
                )


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
                    f"Le projet compte {count} collectif{pluralize(count)} : un bonus ne "
                    "peut pas en concerner davantage.",
                )
        return data
