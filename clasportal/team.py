"""The Caf administrator's team page: the Caf's staff, their roles and territories."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import second_factor
from .accounts import locked_usernames, normalize_username, send_password_link, unlock
from .forms import StyledFormMixin
from .models import STAFF_ROLES, Caf, StaffProfile, Territory
from .scoping import get_visible_or_404

logger = logging.getLogger(__name__)

ROLE_CHOICES = [(r.value, r.label) for r in STAFF_ROLES]


class StaffForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        error_messages={"invalid": "Saisissez une adresse e-mail valide (ex. prenom.nom@caf.fr)."},
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    role = forms.ChoiceField(label="Rôle", choices=ROLE_CHOICES)
    territories = forms.ModelMultipleChoiceField(
        label="Territoires (conseillers)",
        queryset=Territory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = caf.territories.all()

    def clean_email(self):
        email = normalize_username(self.cleaned_data["email"])
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse.")
        return email


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "territories", "requires_second_factor"]
        widgets = {"territories": forms.CheckboxSelectMultiple}
        labels = {
            "requires_second_factor": "Second facteur exigé pour cet agent "
            "(même si la Caf ne l'exige pas de tous)"
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = self.instance.caf.territories.all()
        self.fields["role"].choices = ROLE_CHOICES


class CafSecondFactorForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Caf
        fields = ["requires_second_factor"]
        labels = {"requires_second_factor": "Exiger le second facteur de tous les agents de la Caf"}
        help_texts = {
            "requires_second_factor": "À leur prochaine page, les agents sans application "
            "d'authentification devront en activer une ; ceux qui en ont une donnent un code à "
            "chaque connexion. Les porteurs ne sont pas concernés."
        }


def _base_url(request):
    return request.build_absolute_uri("/")[:-1]


def invite_staff(request, caf, *, email, first_name, last_name, role, territories=()):
    """Open a staff account of `caf` without a password and mail its invitation: the person
    chooses a password through the one-time link (the password-reset mechanism). Used by the
    Caf administrator's team page and by the national administrator for a Caf's first
    administrator."""
    user = get_user_model().objects.create_user(
        email=email, first_name=first_name, last_name=last_name
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    profile = StaffProfile.objects.create(user=user, caf=caf, role=role)
    profile.territories.set(territories)
    send_password_link(
        user,
        subject="Votre compte sur le portail Clas",
        intro=f"{request.user} vous a ouvert un compte ({profile.get_role_display()}, "
        f"Caf {caf.name}) sur le portail Clas.",
        base_url=_base_url(request),
    )
    return profile


def _admin_caf(request):
    if not request.user.has_perm("clasportal.manage_team"):
        raise PermissionDenied
    return request.user.caf


@require_http_methods(["GET", "POST"])
def team(request):
    caf = _admin_caf(request)
    form = StaffForm(request.POST or None, caf=caf)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            profile = invite_staff(
                request,
                caf,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                territories=data["territories"],
            )
        messages.success(
            request, f"Compte créé pour {profile.user.email} ; une invitation lui est envoyée."
        )
        return redirect("team")
    staff = list(
        StaffProfile.objects.visible_to(request.user)
        .select_related("user")
        .prefetch_related("territories")
        .order_by("role", "user__last_name")
    )
    locked = locked_usernames(p.user.email for p in staff)
    return render(
        request,
        "team.html",
        {
            "form": form,
            "staff": staff,
            "caf": caf,
            "locked": locked,
            "enrolled": second_factor.enrolled_user_ids(p.user_id for p in staff),
            "second_factor_form": CafSecondFactorForm(instance=caf),
            "second_factor_history": caf.history.select_related("history_user")
            .exclude(history_change_reason=None)
            .exclude(history_change_reason="")[:5],
        },
    )


@require_POST
def team_second_factor(request):
    """The Caf's switch: every staff member of the Caf must use a second factor, or not."""
    caf = _admin_caf(request)
    if not request.user.has_perm("clasportal.require_second_factor"):
        raise PermissionDenied
    form = CafSecondFactorForm(request.POST, instance=caf)
    if form.is_valid() and "requires_second_factor" in form.changed_data:
        caf = form.save(commit=False)
        caf._change_reason = (
            "Second facteur exigé de tous les agents"
            if caf.requires_second_factor
            else "Second facteur n'est plus exigé de tous les agents"
        )
        caf.save()
        logger.info(
            "second factor %s for caf %s by user %s",
            "required" if caf.requires_second_factor else "no longer required",
            caf.pk,
            request.user.pk,
        )
        messages.success(
            request,
            "Le second facteur est désormais exigé de tous les agents de la Caf."
            if caf.requires_second_factor
            else "Le second facteur n'est plus exigé de tous les agents ; ceux qui l'ont activé "
            "le gardent, comme ceux pour qui il est exigé individuellement.",
        )
    return redirect("team")


@require_http_methods(["GET", "POST"])
def team_member(request, pk):
    _admin_caf(request)
    profile = get_visible_or_404(StaffProfile.objects.select_related("user"), request.user, pk=pk)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Profil de {profile.user} enregistré.")
        return redirect("team")
    history = profile.history.select_related("history_user")[:10]
    return render(
        request,
        "team_member.html",
        {
            "form": form,
            "profile": profile,
            "history": history,
            "is_locked": bool(locked_usernames([profile.user.email])),
            "second_factor_device": second_factor.confirmed_device(profile.user),
        },
    )


@require_POST
def team_member_toggle(request, pk):
    _admin_caf(request)
    profile = get_visible_or_404(StaffProfile.objects.select_related("user"), request.user, pk=pk)
    if profile.user == request.user:
        messages.error(request, "Vous ne pouvez pas désactiver votre propre compte.")
        return redirect("team")
    user = profile.user
    user.is_active = not user.is_active
    user.save(update_fields=["is_active"])
    messages.success(request, f"Compte de {user} {'réactivé' if user.is_active else 'désactivé'}.")
    return redirect("team")


def _managed_profile(request, pk):
    """A staff profile of the administrator's own Caf, locked for the change; another Caf's is a
    404."""
    _admin_caf(request)
    return get_visible_or_404(
        StaffProfile.objects.select_for_update(of=("self",)).select_related("user", "caf"),
        request.user,
        pk=pk,
    )


def _trace(profile, reason):
    """A row in the profile's history (who, when, what), shown on the member's page."""
    profile._change_reason = reason
    profile.save()


@require_POST
def team_member_unlock(request, pk):
    profile = _managed_profile(request, pk)
    user = profile.user
    unlock(user)
    _trace(profile, "Connexion débloquée")
    logger.info("login of user %s unlocked by user %s", user.pk, request.user.pk)
    messages.success(request, f"Connexion de {user} débloquée : {user.email} peut se reconnecter.")
    return redirect("team_member", pk=profile.pk)


@require_POST
def team_member_invite(request, pk):
    profile = _managed_profile(request, pk)
    user = profile.user
    if not user.is_active:
        messages.error(request, f"Le compte de {user} est désactivé : réactivez-le d'abord.")
    elif user.has_usable_password():
        messages.error(
            request,
            f"{user} a déjà choisi son mot de passe ; en cas d'oubli, il utilise "
            "« Mot de passe oublié ? » sur la page de connexion.",
        )
    else:
        send_password_link(
            user,
            subject="Votre compte sur le portail Clas",
            intro=f"{request.user} vous renvoie votre invitation au portail Clas "
            f"({profile.get_role_display()}, Caf {profile.caf.name}).",
            base_url=_base_url(request),
        )
        _trace(profile, "Invitation renvoyée")
        messages.success(request, f"Invitation renvoyée à {user.email}.")
    return redirect("team_member", pk=profile.pk)


@require_POST
def team_member_reset_second_factor(request, pk):
    """A lost phone and lost recovery codes: the agent enrols again at the next page."""
    profile = _managed_profile(request, pk)
    if not request.user.has_perm("clasportal.reset_second_factor", profile):
        raise PermissionDenied
    user = profile.user
    second_factor.reset(user)
    _trace(profile, "Second facteur réinitialisé")
    logger.info("second factor of user %s reset by user %s", user.pk, request.user.pk)
    messages.success(
        request,
        f"Second facteur de {user} réinitialisé : il activera une nouvelle application "
        "d'authentification à sa prochaine connexion si le second facteur lui est exigé.",
    )
    return redirect("team_member", pk=profile.pk)
