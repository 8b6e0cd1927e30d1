"""Forms of a new project, messages, attachments, and the Caf's window and documents."""

from django import forms

from clasportal.forms import StyledFormMixin

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

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        types = project.campaign.caf.document_types.all()
        self.fields["document_type"].queryset = types
        self.fields["document_type"].required = False


class CampaignForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["opens_on", "closes_on", "forecast_due_on", "actual_due_on"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in fields
        }

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "La clôture ne peut pas précéder l'ouverture.")
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
        fields = ["name", "help_text", "situations", "is_required", "position"]
