from django import forms


class InviteMemberForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail de la personne à inviter",
        error_messages={"invalid": "Saisissez une adresse e-mail valide (ex. nom@structure.fr)."},
    )
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
