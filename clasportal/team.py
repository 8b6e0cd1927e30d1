"""The Caf administrator's team page: the Caf's staff, their roles and territories."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_http_methods, require_POST

from .forms import StyledFormMixin
from .models import STAFF_ROLES, StaffProfile, Territory
from .notifications import notify
from .scoping import get_visible_or_404

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
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse.")
        return email


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "territories", "requires_second_factor"]
        widgets = {"territories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = self.instance.caf.territories.all()
        self.fields["role"].choices = ROLE_CHOICES


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
            user = get_user_model().objects.create_user(
                email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            profile = StaffProfile.objects.create(user=user, caf=caf, role=data["role"])
            profile.territories.set(data["territories"])
            link = request.build_absolute_uri(
                reverse(
                    "password_reset_confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                )
            )
            notify(
                subject="Votre compte sur le portail Clas",
                body=f"Bonjour,\n\n{request.user} vous a ouvert un compte ({profile.get_role_display()}, "
                f"Caf {caf.name}). Choisissez votre mot de passe : {link}\n",
                to=[user.email],
            )
        messages.success(
            request, f"Compte créé pour {user.email} ; une invitation lui est envoyée."
        )
        return redirect("team")
    staff = (
        StaffProfile.objects.visible_to(request.user)
        .select_related("user")
        .prefetch_related("territories")
        .order_by("role", "user__last_name")
    )
    return render(request, "team.html", {"form": form, "staff": staff, "caf": caf})


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
        request, "team_member.html", {"form": form, "profile": profile, "history": history}
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
