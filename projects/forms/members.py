from django import forms

from clasportal.forms import StyledFormMixin

from ..models import IDENTITY_FIELDS, Carrier


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail de la personne à inviter",
        error_messages={"invalid": "Saisissez une adresse e-mail valide (ex. nom@structure.fr)."},
    )
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)


class IdentityChangeForm(StyledFormMixin, forms.ModelForm):
    """What the carrier asks the Caf to change; validated like the structure step itself."""

    reason = forms.CharField(
        label="Pourquoi ce changement ?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Expliquez le changement à la Caf (statuts, fusion…)."},
    )

    class Meta:
        model = Carrier
        fields = list(IDENTITY_FIELDS)
        error_messages = {
            "siret": {"unique": "Ce SIRET est déjà enregistré pour une autre structure."}
        }
