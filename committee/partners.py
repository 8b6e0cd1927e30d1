"""Partner organisations, their people's accounts, and who sits on each committee session
(issue 18): the forms and services behind the Caf administrator's screens and the session page."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from clasportal.accounts import normalize_username, send_password_link
from clasportal.forms import StyledFormMixin
from clasportal.rules import committee_candidates

from .models import PartnerOrganisation
from .people import Attendance, PartnerAccount


class OrganisationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PartnerOrganisation
        fields = ["kind", "name", "budget_label"]
        labels = {"kind": "Nature", "name": "Nom", "budget_label": "Libellé sur le budget"}
        help_texts = {
            "name": "Tel qu'il s'imprime sur la liste d'agrément (ex. MSA Lorraine).",
            "budget_label": "Le libellé exact de sa ligne dans le budget d'une demande, si la "
            "Caf en fixe un (ex. « MSA-63-PUY DE DOME »).",
        }
        error_messages = {
            "name": {"required": "Donnez le nom du partenaire."},
            "kind": {"required": "Choisissez la nature du partenaire."},
        }

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.caf = caf

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def validate_unique(self):
        try:
            self.instance.validate_constraints()
        except ValidationError:
            self.add_error("name", "Un partenaire de votre Caf porte déjà ce nom.")


class PartnerAccountForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        error_messages={
            "required": "Saisissez l'adresse e-mail de la personne.",
            "invalid": "Saisissez une adresse e-mail valide (ex. prenom.nom@msa.fr).",
        },
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, error_messages={"required": "Saisissez le prénom."}
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, error_messages={"required": "Saisissez le nom."}
    )
    function = forms.CharField(label="Fonction", max_length=150, required=False)

    def clean_email(self):
        email = normalize_username(self.cleaned_data["email"])
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse.")
        return email


def invite_partner(organisation, *, by, base_url, email, first_name, last_name, function=""):
    """Open a partner account without a password and mail its invitation: the person chooses
    a password through the one-time link, as Caf staff do (`clasportal.team`)."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        account = PartnerAccount.objects.create(
            user=user, organisation=organisation, function=function, invited_by=by
        )
        send_password_link(
            user,
            subject="Votre compte sur le portail Clas",
            intro=f"{by} vous a ouvert un compte « Partenaire du comité » ({organisation.name}, "
            f"Caf {organisation.caf.name}) sur le portail Clas : vous y lirez l'ordre du jour et "
            "les dossiers déposés des comités où vous siégez.",
            base_url=base_url,
        )
    return account


class MembersForm(StyledFormMixin, forms.Form):
    members = forms.ModelMultipleChoiceField(
        label="Membres du comité (agents de la Caf et partenaires)",
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = committee_candidates(user).select_related("partner_profile__organisation")
        field.label_from_instance = member_label
        field.error_messages["invalid_choice"] = "Choisissez des membres de votre Caf."
        field.error_messages["invalid_pk_value"] = "Choisissez des membres de votre Caf."


def represented(user):
    """The organisation a member represents: a partner account's, else none (the Caf)."""
    account = user.partner_profile_or_none
    return account.organisation if account else None


def member_label(user):
    organisation = represented(user)
    return f"{user.get_full_name() or user} — {organisation.name if organisation else 'Caf'}"


def set_members(session, members, *, by):
    """Name the session's members (traced in the session's history)."""
    session._change_reason = "Membres du comité modifiés"
    session.members.set(members)
    # Who sits was read with the session (clasportal.rules.is_session_member): read it again.
    session.sitting_user_id = None
    session.__dict__.pop("_sitting", None)


class AttendanceError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def session_members(session):
    """The session's members by name, with whom they represent."""
    return session.members.select_related("partner_profile__organisation").order_by(
        "last_name", "first_name"
    )


def sheet(session, members=None):
    """One row per member: the person, whom they represent, and their recorded status."""
    recorded = {a.user_id: a for a in session.attendance.filter(user__isnull=False)}
    if members is None:
        members = session_members(session)
    return [
        {
            "user": member,
            "represents": member_label(member).rsplit(" — ", 1)[1],
            "status": recorded[member.pk].status if member.pk in recorded else "",
        }
        for member in members
    ]


def record_attendance(session, statuses, *, by):
    """`statuses`: {user pk: status} for the session's members; a status out of the list is
    refused before anything is written. Each line keeps whom the person represented."""
    valid = set(Attendance.Status.values)
    members = {m.pk: m for m in session.members.select_related("partner_profile__organisation")}
    wrong = [pk for pk, status in statuses.items() if status and status not in valid]
    if wrong or any(pk not in members for pk in statuses):
        raise AttendanceError("Choisissez, pour chaque membre, présent, excusé ou absent.")
    with transaction.atomic():
        for pk, status in statuses.items():
            if not status:
                continue
            member = members[pk]
            line, created = Attendance.objects.get_or_create(
                session=session,
                user=member,
                defaults={
                    "status": status,
                    "organisation": represented(member),
                    "recorded_by": by,
                },
            )
            if not created and line.status != status:
                line.status = status
                line.recorded_by = by
                line._change_reason = "Présence modifiée"
                line.save()
    return len([s for s in statuses.values() if s])
