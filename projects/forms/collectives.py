import datetime

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from clasportal.forms import StyledFormMixin

from ..completeness import policy_for, sessions_text
from ..models import Collective, Intervenant, SchoolLevel
from ..rural import rural_status

WEEKDAYS = [
    ("lundi", "Lundi"),
    ("mardi", "Mardi"),
    ("mercredi", "Mercredi"),
    ("jeudi", "Jeudi"),
    ("vendredi", "Vendredi"),
    ("samedi", "Samedi"),
]


class CollectiveForm(StyledFormMixin, forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        label="Jours des séances",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un jour."},
    )

    class Meta:
        model = Collective
        fields = [
            "name",
            "school_level",
            "commune",
            "planned_children",
            "children_justification",
            "planned_weeks",
            "weekdays",
            "sessions_per_week",
            "session_minutes",
            "start_date",
            "end_date",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "children_justification": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project, **kwargs):
        self.project = project
        # The Caf's own rules (its note de cadrage), national referential by default.
        self.policy = policy_for(project.campaign.caf)
        super().__init__(*args, **kwargs)
        policy = self.policy
        low, high = policy.children_range(rural=False)
        self.fields[
            "planned_children"
        ].help_text = (
            f"De {low} à {high} enfants ; au moins {policy.min_children_rural} en milieu rural."
        )
        self.fields[
            "children_justification"
        ].label = f"Justification de l'effectif (hors {low} à {high} enfants)"
        self.fields[
            "planned_weeks"
        ].help_text = f"{policy.min_weeks} semaines au moins pour votre Caf, 53 au plus."
        self.fields["session_minutes"].help_text = (
            f"Votre Caf demande {sessions_text(policy, False)} ; en milieu rural, "
            f"{sessions_text(policy, True)}."
        )
        self.fields["commune"].queryset = project.campaign.caf.communes.all()
        self.fields["commune"].empty_label = "Choisissez la commune du lieu d'accueil"
        self.fields["commune"].help_text = (
            "Un collectif dans une commune rurale suit les règles rurales de votre Caf ; "
            "votre conseiller peut revoir ce classement."
        )
        if policy.one_level_per_request:
            self.fields["school_level"].help_text = (
                "Votre Caf demande une demande par niveau scolaire : tous les collectifs de "
                "cette demande accueillent le même niveau."
            )
        for name in ("planned_children", "planned_weeks", "sessions_per_week", "session_minutes"):
            field = self.fields[name]
            field.error_messages.update(
                {
                    "invalid": "Saisissez un nombre entier.",
                    "min_value": "La valeur doit être au moins %(limit_value)s.",
                    "max_value": "La valeur doit être au plus %(limit_value)s.",
                }
            )
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
            self.fields[name].error_messages["invalid"] = "Saisissez une date (jj/mm/aaaa)."

    def clean(self):
        data = super().clean()
        year = self.project.campaign.year
        first, last = datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)
        for name in ("start_date", "end_date"):
            day = data.get(name)
            if day and not first <= day <= last:
                self.add_error(
                    name,
                    f"La date doit être dans l'année scolaire, du "
                    f"{first:%d/%m/%Y} au {last:%d/%m/%Y}.",
                )
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La dernière séance ne peut pas précéder la première.")
        # Rural from the commune's flag, unless the Caf's advisor decided otherwise.
        commune = data.get("commune", self.instance.commune if self.instance.pk else None)
        rural = rural_status(commune, self.instance.rural_override)
        self.instance.is_rural = rural
        where = " en milieu rural" if rural else ""
        children = data.get("planned_children")
        minimum, maximum = self.policy.children_range(rural)
        if children is not None and not minimum <= children <= maximum:
            if not (data.get("children_justification") or "").strip():
                self.add_error(
                    "children_justification",
                    f"{children} enfants : votre Caf "
                    f"prévoit de {minimum} à {maximum} enfants par collectif{where}. "
                    "Justifiez cet effectif.",
                )
        sessions, minutes = data.get("sessions_per_week"), data.get("session_minutes")
        if sessions and minutes and not self.policy.sessions_enough(sessions, minutes, rural):
            self.add_error(
                "session_minutes",
                f"{sessions} × {minutes} min par semaine : votre Caf demande "
                f"{sessions_text(self.policy, rural)}{where}.",
            )
        level = data.get("school_level")
        if level and self.policy.one_level_per_request:
            others = self.project.collectives.exclude(pk=self.instance.pk).exclude(
                school_level=level
            )
            other = others.first()
            if other is not None:
                self.add_error(
                    "school_level",
                    f"Votre Caf demande une demande par niveau scolaire : « {other.name} » "
                    f"accueille le niveau {SchoolLevel(other.school_level).label.lower()}. "
                    "Choisissez le même niveau ou déposez une autre demande.",
                )
        return data


class IntervenantForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Intervenant
        fields = ["full_name", "qualification", "is_volunteer"]


# At most 8 intervenants per collective: an input bound of the portal, not a rule of the
# referential (SPEC.md § 3 « Organisation » asks for 2 intervenants per collective, 1 in a rural
# one under 8 children; completeness.py checks that minimum). The bound is validated, not only
# displayed: the posted TOTAL_FORMS is the carrier's to choose.
MAX_INTERVENANTS = 8


class BaseIntervenantFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_many_forms": (
            "Un collectif compte %(num)d intervenants au plus : videz les lignes en trop "
            "ou cochez « Supprimer » pour les intervenants déjà enregistrés."
        ),
    }


IntervenantFormSet = inlineformset_factory(
    Collective,
    Intervenant,
    form=IntervenantForm,
    formset=BaseIntervenantFormSet,
    extra=2,
    max_num=MAX_INTERVENANTS,
    validate_max=True,
    can_delete=True,
)
