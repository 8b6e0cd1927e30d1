"""Forms of the Caf's carrier records (create, edit, merge, invite) and of the public sign-up."""

from django import forms
from django.template.defaultfilters import pluralize

from clasportal.forms import StyledFormMixin
from clasportal.models import Caf, Commune

from ..models import Carrier, CarrierSignup

CARRIER_FIELDS = [
    "legal_name",
    "siret",
    "kind",
    "address",
    "commune",
    "legal_representative",
    "contact_name",
    "email",
    "phone",
]
SIRET_ERRORS = {
    "unique": "Ce SIRET est déjà celui d'un porteur du portail : cherchez-le dans la liste "
    "des porteurs (ou fusionnez les deux fiches si c'est un doublon).",
    "required": "Le SIRET est obligatoire (14 chiffres).",
}


def _clean_siret(value):
    return "".join((value or "").split())


def siret_field():
    # Spaces as printed on a Kbis (« 732 829 320 00074 ») are accepted, then removed.
    return forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres ; les espaces sont acceptés.",
        error_messages=SIRET_ERRORS,
    )


class CarrierRecordForm(StyledFormMixin, forms.ModelForm):
    siret = siret_field()

    class Meta:
        model = Carrier
        fields = CARRIER_FIELDS
        error_messages = {
            "siret": SIRET_ERRORS,
            "legal_name": {"required": "La raison sociale est obligatoire."},
            "commune": {"required": "Choisissez la commune du siège parmi celles de la Caf."},
        }

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = lambda c: f"{c.name} ({c.insee_code})"

    def clean_siret(self):
        return _clean_siret(self.cleaned_data.get("siret"))


class NewCarrierForm(CarrierRecordForm):
    """A carrier and the first person who will use its account (invited by e-mail)."""

    user_first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    user_last_name = forms.CharField(label="Nom", max_length=150, required=False)
    user_email = forms.EmailField(
        label="Adresse e-mail du premier utilisateur",
        required=False,
        help_text="Cette personne reçoit une invitation pour choisir son mot de passe. "
        "Vous pourrez inviter quelqu'un plus tard depuis la fiche du porteur.",
        error_messages={"invalid": "Saisissez une adresse e-mail valide (ex. nom@structure.fr)."},
    )

    def first_user(self):
        data = self.cleaned_data
        if not data.get("user_email"):
            return None
        return {
            "email": data["user_email"],
            "first_name": data.get("user_first_name", ""),
            "last_name": data.get("user_last_name", ""),
        }


class CarrierActivationForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motif (gardé dans l'historique)", max_length=500, required=False
    )


class MergeForm(StyledFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label="Fiche en double à fusionner dans celle-ci",
        queryset=Carrier.objects.none(),
        empty_label="Choisissez le doublon",
        error_messages={"required": "Choisissez la fiche en double."},
        help_text="Ses projets, ses membres et ses demandes passent sur la fiche gardée ; "
        "le doublon est désactivé.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = candidates
        self.fields["duplicate"].label_from_instance = lambda c: (
            f"{c.legal_name} — SIRET {c.siret} — {c.projects_count} projet{pluralize(c.projects_count)}"
        )


class CarrierSignupForm(StyledFormMixin, forms.ModelForm):
    """A structure not yet known to the portal asks its Caf for an account."""

    siret = siret_field()
    departement = forms.ChoiceField(
        label="Département de la structure",
        help_text="Votre demande est adressée à la Caf de ce département.",
        error_messages={"required": "Choisissez le département de la structure."},
    )

    class Meta:
        model = CarrierSignup
        fields = [
            "legal_name",
            "siret",
            "kind",
            "address",
            "commune_name",
            "departement",
            "first_name",
            "last_name",
            "email",
            "phone",
            "message",
        ]
        labels = {
            "commune_name": "Commune du siège",
            "first_name": "Prénom de la personne à contacter",
            "last_name": "Nom de la personne à contacter",
            "email": "Son adresse e-mail (elle recevra l'accès)",
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "legal_name": {"required": "La raison sociale est obligatoire."},
            "siret": {"required": "Le SIRET est obligatoire (14 chiffres)."},
            "commune_name": {"required": "La commune du siège est obligatoire."},
            "first_name": {"required": "Le prénom est obligatoire."},
            "last_name": {"required": "Le nom est obligatoire."},
            "email": {
                "required": "L'adresse e-mail est obligatoire.",
                "invalid": "Saisissez une adresse e-mail valide (ex. nom@structure.fr).",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cafs = {c.departement: c for c in Caf.objects.filter(is_active=True)}
        self.fields["departement"].choices = [("", "Choisissez")] + [
            (code, f"{code} — Caf {caf.name}") for code, caf in sorted(self.cafs.items())
        ]
        self.fields["message"].max_length = 3000

    def clean_siret(self):
        siret = _clean_siret(self.cleaned_data.get("siret"))
        if Carrier.objects.filter(siret=siret).exists():
            from ..carrier_records import siret_taken_message

            raise forms.ValidationError(siret_taken_message())
        if CarrierSignup.objects.filter(siret=siret, status=CarrierSignup.Status.PENDING).exists():
            raise forms.ValidationError(
                "Une demande de compte pour ce SIRET attend déjà la réponse de la Caf."
            )
        return siret

    def clean_departement(self):
        code = self.cleaned_data["departement"]
        if code not in self.cafs:
            raise forms.ValidationError("Aucune Caf active pour ce département.")
        self.instance.caf = self.cafs[code]
        return code


class SignupAcceptForm(StyledFormMixin, forms.Form):
    commune = forms.ModelChoiceField(
        label="Commune du siège (parmi celles de la Caf)",
        queryset=Commune.objects.none(),
        error_messages={"required": "Choisissez la commune du siège."},
    )
    kind = forms.ChoiceField(label="Statut juridique")

    def __init__(self, *args, communes, signup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        self.fields["commune"].label_from_instance = lambda c: f"{c.name} ({c.insee_code})"
        self.fields["kind"].choices = CarrierSignup._meta.get_field("kind").choices
        self.fields["kind"].initial = signup.kind
        guess = communes.filter(name__iexact=signup.commune_name.strip()).first()
        if guess is not None:
            self.fields["commune"].initial = guess.pk


class SignupRefuseForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Motif du refus (envoyé au demandeur)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Un refus doit être motivé : le motif est envoyé au demandeur."
        },
    )
