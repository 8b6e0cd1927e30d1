"""Forms of a new project, messages, attachments, and the Caf's window and documents."""

from django import forms

from clasportal.forms import StyledFormMixin

from ..campaigns import date_problems, documents_for, renewal_refusal, year_taken
from ..models import Campaign, Carrier, DocumentType, Project, Situation, WindowException


class NewProjectForm(StyledFormMixin, forms.Form):
    carrier = forms.ModelChoiceField(
        label="Structure qui porte le projet", queryset=Carrier.objects.none(), empty_label=None
    )
    campaign = forms.ModelChoiceField(
        label="Campagne", queryset=Campaign.objects.none(), empty_label=None
    )
    situation = forms.TypedChoiceField(
        label="Votre situation", coerce=int, choices=Situation.choices, widget=forms.RadioSelect
    )
    previous = forms.ModelChoiceField(
        label="Projet de l'an dernier à reprendre",
        queryset=Project.objects.none(),
        required=False,
        empty_label="Partir d'une demande vierge",
        help_text="Renouvellement : la demande est préremplie, vous la mettez à jour.",
    )
    title = forms.CharField(label="Intitulé du projet", max_length=200)

    def __init__(self, *args, carriers, campaigns, previous_projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = carriers
        mine = list(carriers)
        self.only_carrier = mine[0] if len(mine) == 1 else None
        if len(mine) < 2:  # one structure: nothing to choose
            self.fields["carrier"].widget = forms.HiddenInput()
            self.fields["carrier"].required = False
            self.fields["carrier"].initial = mine[0].pk if mine else None
        self.fields["campaign"].queryset = campaigns
        self.fields["previous"].queryset = previous_projects
        self.fields["situation"].widget.attrs["class"] = "form-check-input"

    def clean_carrier(self):
        return self.cleaned_data.get("carrier") or self.only_carrier

    def clean(self):
        data = super().clean()
        carrier, campaign, previous = (
            data.get("carrier"),
            data.get("campaign"),
            data.get("previous"),
        )
        if carrier and campaign and campaign.caf_id != carrier.caf_id:
            self.add_error("campaign", f"Cette campagne n'est pas celle de la Caf de {carrier}.")
        if carrier and previous and previous.carrier_id != carrier.pk:
            self.add_error("previous", f"Ce projet n'est pas un projet de {carrier}.")
        refusal = campaign and carrier and renewal_refusal(carrier, campaign, data.get("situation"))
        if refusal:
            self.add_error("campaign", refusal)
        if data.get("situation") == Situation.CONTINUING and not data.get("previous"):
            self.add_error(
                "previous",
                "Une convention pluriannuelle en cours : choisissez le projet qu'elle couvre.",
            )
        return data


class MessageForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label="Votre message", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    document_type = forms.ModelChoiceField(
        label="Pièce", queryset=DocumentType.objects.none(), empty_label="Autre document"
    )
    file = forms.FileField(label="Fichier", error_messages={"required": "Choisissez un fichier."})

    def __init__(self, *args, project, only=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = documents_for(project.campaign)
        self.fields["document_type"].required = False
        if only is not None:
            # Only the missing required documents may still be added (section otherwise closed).
            self.fields["document_type"].queryset = documents_for(project.campaign).filter(
                pk__in=[d.pk for d in only]
            )
            self.fields["document_type"].required = True
            self.fields["document_type"].empty_label = None
            self.fields["document_type"].error_messages["required"] = "Choisissez la pièce."


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(StyledFormMixin, forms.ModelForm):
    """A campaign's year, deposit window, declaration due dates and the year's own rules. The
    year is chosen at creation only: projects and decisions hang on it afterwards."""

    class Meta:
        model = Campaign
        fields = [
            "year",
            "opens_on",
            "closes_on",
            "forecast_due_on",
            "actual_due_on",
            "priorities",
            "renewals_only",
        ]
        widgets = {
            **{name: DATE_WIDGET for name in fields[1:5]},
            "priorities": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"year": "Année N de l'année scolaire N/N+1 (ex. 2027 pour 2027/2028)."}
        error_messages = {
            "year": {
                "required": "Indiquez l'année de la campagne.",
                "invalid": "Saisissez une année (ex. 2027).",
            },
            "opens_on": {
                "required": "Indiquez la date d'ouverture du dépôt.",
                "invalid": "Saisissez une date valide.",
            },
            "closes_on": {
                "required": "Indiquez la date de clôture du dépôt.",
                "invalid": "Saisissez une date valide.",
            },
            "forecast_due_on": {"invalid": "Saisissez une date valide."},
            "actual_due_on": {"invalid": "Saisissez une date valide."},
        }

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, **kwargs)
        self.caf = caf
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.fields["year"].help_text = "L'année d'une campagne existante ne change pas."
        else:
            self.fields["year"].widget.attrs.update(min=2000, max=2100)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not self.instance.pk and not 2000 <= year <= 2100:
            raise forms.ValidationError("Saisissez une année entre 2000 et 2100.")
        if year_taken(self.caf, year, exclude=self.instance if self.instance.pk else None):
            raise forms.ValidationError(
                f"La campagne {year}/{year + 1} existe déjà pour votre Caf : modifiez-la."
            )
        return year

    def clean(self):
        data = super().clean()
        problems = date_problems(
            data.get("opens_on"),
            data.get("closes_on"),
            data.get("forecast_due_on"),
            data.get("actual_due_on"),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data


class WindowExceptionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = WindowException
        fields = ["carrier", "until", "reason"]
        widgets = {
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = campaign.caf.carriers.all()
        self.fields["carrier"].label = "Porteur"
        self.fields["reason"].required = True


class DocumentTypeForm(StyledFormMixin, forms.ModelForm):
    situations = forms.TypedMultipleChoiceField(
        label="Situations concernées",
        coerce=int,
        choices=Situation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case : toutes les situations.",
    )

    class Meta:
        model = DocumentType
        fields = ["name", "help_text", "campaign", "situations", "is_required", "position"]
        help_texts = {"campaign": "Aucune : la pièce est demandée à chaque campagne."}

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = caf.campaigns.all() if caf else Campaign.objects.none()
        self.fields["campaign"].empty_label = "Toutes les campagnes"
        self.fields["campaign"].error_messages["invalid_choice"] = (
            "Choisissez une campagne de votre Caf."
        )
