from django import forms
from django.template.defaultfilters import pluralize

from clasportal.fields import AMOUNT_ERRORS, FrenchDecimalField
from clasportal.forms import StyledFormMixin
from clasportal.quickwidgets import QUICK
from clasportal.rules import committee_candidates
from projects.models import Campaign
from projects.steps import STEP_TITLES

from .models import CommitteeSession, Decision, PartnerOrganisation
from .partners import member_label

SECTION_CHOICES = [(slug, title) for slug, title in STEP_TITLES.items() if slug != "recapitulatif"]
TEXT = forms.Textarea(attrs={"rows": 3})


class RequestChangesForm(StyledFormMixin, forms.Form):
    sections = forms.MultipleChoiceField(
        label="Sections à rouvrir",
        choices=SECTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une section à rouvrir."},
    )
    message = forms.CharField(label="Message au porteur", max_length=5000, widget=TEXT)


class RuralOverrideForm(StyledFormMixin, forms.Form):
    """The advisor's decision on a collective's rural status, always with its reason."""

    CHOICES = {"commune": None, "rural": True, "urbain": False}

    status = forms.ChoiceField(
        label="Milieu rural",
        widget=forms.RadioSelect,
        choices=[
            ("commune", "Comme la commune"),
            ("rural", "Rural"),
            ("urbain", "Non rural"),
        ],
        error_messages={"required": "Choisissez le classement du collectif."},
    )
    reason = forms.CharField(
        label="Motif",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de ce classement."},
    )

    def value(self):
        return self.CHOICES[self.cleaned_data["status"]]


class ReplyForm(StyledFormMixin, forms.Form):
    """The advisor's answer to the carrier, posted to the project's thread (projects:message_post)."""

    body = forms.CharField(label="Votre réponse au porteur", max_length=5000, widget=TEXT)


class ProposeForm(StyledFormMixin, forms.Form):
    favourable = forms.TypedChoiceField(
        label="Avis",
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[
            ("1", "Favorable (proposer l'agrément)"),
            ("0", "Défavorable (proposer le refus)"),
        ],
    )
    collectives = forms.IntegerField(
        label="Collectifs retenus", min_value=1, max_value=99, required=False
    )
    reason = forms.CharField(label="Motif ou commentaire", required=False, widget=TEXT)

    def __init__(self, *args, max_collectives=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_collectives = max_collectives

    def clean(self):
        data = super().clean()
        if data.get("favourable"):
            collectives = data.get("collectives")
            if not collectives:
                self.add_error("collectives", "Indiquez le nombre de collectifs retenus.")
            elif self.max_collectives is not None and collectives > self.max_collectives:
                self.add_error(
                    "collectives",
                    f"Le projet compte {self.max_collectives} "
                    f"collectif{pluralize(self.max_collectives)} : on ne peut pas en retenir davantage.",
                )
        elif "favourable" in data and not (data.get("reason") or "").strip():
            self.add_error("reason", "Un avis défavorable doit être motivé.")
        return data


class BonusDecisionForm(StyledFormMixin, forms.Form):
    which = forms.ChoiceField(
        choices=[("children", "enfants"), ("parents", "parents")], widget=forms.HiddenInput
    )
    granted = forms.TypedChoiceField(
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
        choices=[("1", "accorder"), ("0", "refuser")],
    )
    reason = forms.CharField(
        label="Motif",
        max_length=1000,
        error_messages={"required": "Indiquez le motif de la décision."},
    )


class NoteForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label="Note interne (jamais visible du porteur)", max_length=5000, widget=TEXT
    )
    shared_with_partners = forms.BooleanField(
        label="Partager avec les partenaires qui siègent au comité", required=False
    )


class OtherFinancerForm(StyledFormMixin, forms.Form):
    financer = forms.ModelChoiceField(
        label="Financeur",
        queryset=PartnerOrganisation.objects.none(),
        error_messages={
            "required": "Choisissez le financeur.",
            "invalid_choice": "Choisissez un financeur de la liste.",
        },
    )
    amount = FrenchDecimalField(
        label="Montant accordé (€)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages=AMOUNT_ERRORS,
    )
    note = forms.CharField(label="Précision", max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financer"].queryset = PartnerOrganisation.objects.visible_to(user).filter(
            is_active=True
        )


class SessionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CommitteeSession
        fields = ["campaign", "date", "place", "members"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "members": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user)
        self.fields["campaign"].empty_label = None
        self.fields["campaign"].label = "Campagne"
        self.fields["members"].queryset = committee_candidates(user)
        self.fields["members"].label = "Membres (agents de la Caf et partenaires)"
        self.fields["members"].label_from_instance = member_label
        self.fields["date"].error_messages["invalid"] = "Saisissez une date (jj/mm/aaaa)."


class DecisionForm(StyledFormMixin, forms.Form):
    default_renderer = QUICK  # one per agenda item on the session page (issue 21)
    outcome = forms.ChoiceField(
        label="Décision", choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    collectives = forms.IntegerField(
        label="Collectifs retenus", min_value=0, max_value=99, required=False
    )
    bonus_children = forms.BooleanField(label="Bonus enfants retenu", required=False)
    bonus_parents = forms.BooleanField(label="Bonus parents retenu", required=False)
    reason = forms.CharField(
        label="Motif", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
