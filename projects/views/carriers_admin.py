"""The Caf's carriers from its screens (create, edit, invite, deactivate, merge two records of one
structure) and the sign-up of a structure the portal does not know yet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from clasportal.accounts import client_ip, signup_rate_limited
from clasportal.models import Commune
from clasportal.scoping import get_visible_or_404

from .. import carrier_records
from ..forms.carriers_admin import (
    CarrierActivationForm,
    CarrierRecordForm,
    CarrierSignupForm,
    MergeForm,
    NewCarrierForm,
    SignupAcceptForm,
    SignupRefuseForm,
)
from ..forms.members import InviteMemberForm
from ..models import Carrier, CarrierSignup
from ..services import invite_member


def _base_url(request):
    return request.build_absolute_uri("/")[:-1]


def _communes(user):
    return Commune.objects.visible_to(user).order_by("name", "insee_code")


def _carrier(request, pk, permission):
    carrier = get_visible_or_404(
        Carrier.objects.select_related("commune", "caf"), request.user, pk=pk
    )
    if not request.user.has_perm(permission, carrier):
        raise PermissionDenied
    return carrier


@require_http_methods(["GET", "POST"])
def carrier_create(request):
    if not request.user.has_perm("projects.create_carrier"):
        raise PermissionDenied
    form = NewCarrierForm(request.POST or None, communes=_communes(request.user))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CarrierRecordForm.Meta.fields}
        carrier = carrier_records.create_carrier(
            values=values,
            by=request.user,
            base_url=_base_url(request),
            first_user=form.first_user(),
        )
        invited = form.first_user()
        messages.success(
            request,
            f"Porteur {carrier} créé"
            + (f" ; une invitation est envoyée à {invited['email']}." if invited else "."),
        )
        return redirect("projects:carrier_detail", pk=carrier.pk)
    return render(request, "projects/carrier_form.html", {"form": form, "carrier": None})


@require_http_methods(["GET", "POST"])
def carrier_edit(request, pk):
    carrier = _carrier(request, pk, "projects.edit_carrier")
    form = CarrierRecordForm(
        request.POST or None, instance=carrier, communes=_communes(request.user)
    )
    if request.method == "POST" and form.is_valid():
        carrier = form.save(commit=False)
        carrier._change_reason = f"Fiche modifiée par {request.user}"
        carrier.save()
        messages.success(request, "Fiche du porteur enregistrée.")
        return redirect("projects:carrier_detail", pk=carrier.pk)
    return render(request, "projects/carrier_form.html", {"form": form, "carrier": carrier})


@require_POST
def carrier_staff_invite(request, pk):
    """The Caf invites a person of the carrier (its first user, or a replacement)."""
    carrier = _carrier(request, pk, "projects.edit_carrier")
    form = InviteMemberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("projects:carrier_detail", pk=carrier.pk)
    try:
        invite_member(
            carrier=carrier, by=request.user, base_url=_base_url(request), **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
    return redirect("projects:carrier_detail", pk=carrier.pk)


@require_POST
def carrier_activation(request, pk):
    carrier = _carrier(request, pk, "projects.deactivate_carrier")
    form = CarrierActivationForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        carrier_records.set_active(
            carrier.pk, by=request.user, active=not carrier.is_active, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            f"{carrier} est réactivé."
            if not carrier.is_active
            else f"{carrier} est désactivé : il ne peut plus créer ni déposer de demande.",
        )
    return redirect("projects:carrier_detail", pk=carrier.pk)


@require_http_methods(["GET", "POST"])
def carrier_merge(request, pk):
    """Pick the duplicate, read what will move, confirm: three steps, only the last writes."""
    kept = _carrier(request, pk, "projects.merge_carriers")
    candidates = carrier_records.duplicate_candidates(kept, request.user)
    form = MergeForm(request.POST or None, candidates=candidates)
    plan = duplicate = None
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.POST.get("confirm") == "1":
            try:
                _, plan = carrier_records.merge(kept.pk, duplicate.pk, by=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    f"{duplicate} est fusionné dans {kept} : {len(plan['projects'])} "
                    f"projet{pluralize(len(plan['projects']))} et {len(plan['members_moved'])} "
                    f"membre{pluralize(len(plan['members_moved']))} déplacés ; le doublon est "
                    "désactivé.",
                )
                return redirect("projects:carrier_detail", pk=kept.pk)
        plan = carrier_records.merge_plan(kept, duplicate)
    return render(
        request,
        "projects/carrier_merge.html",
        {"kept": kept, "form": form, "duplicate": duplicate, "plan": plan},
    )


# --- Sign-up -------------------------------------------------------------------------------------

RATE_LIMIT_MESSAGE = (
    "Trop de demandes de compte depuis votre connexion ou pour cette adresse. Réessayez dans "
    "une heure ; si le problème persiste, contactez votre Caf."
)


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    form = CarrierSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signup_rate_limited(form.cleaned_data["email"], client_ip(request)):
            form.add_error(None, RATE_LIMIT_MESSAGE)
            return render(request, "projects/signup.html", {"form": form}, status=429)
        values = {
            name: form.cleaned_data[name]
            for name in CarrierSignupForm.Meta.fields
            if name != "departement"
        }
        try:
            sent = carrier_records.request_signup({"caf": form.instance.caf, **values})
        except ValidationError as exc:
            form.add_error("siret", exc.message_dict.get("siret", exc.messages))
        else:
            return render(request, "projects/signup_sent.html", {"signup": sent})
    return render(request, "projects/signup.html", {"form": form})


def signup_list(request):
    if not request.user.has_perm("projects.review_signups"):
        raise PermissionDenied
    signups = CarrierSignup.objects.visible_to(request.user).select_related("decided_by", "carrier")
    pending = signups.filter(status=CarrierSignup.Status.PENDING).order_by("created_at")
    decided = signups.exclude(status=CarrierSignup.Status.PENDING).order_by("-decided_at")
    page = Paginator(decided, 25).get_page(request.GET.get("page"))
    return render(
        request, "projects/signup_list.html", {"pending": list(pending[:200]), "page": page}
    )


@require_http_methods(["GET", "POST"])
def signup_detail(request, pk):
    signup = get_visible_or_404(CarrierSignup.objects.select_related("caf"), request.user, pk=pk)
    if not request.user.has_perm("projects.decide_signup", signup):
        raise PermissionDenied
    communes = _communes(request.user)
    accept_form = SignupAcceptForm(communes=communes, signup=signup)
    refuse_form = SignupRefuseForm()
    decision = request.POST.get("decision")
    if request.method == "POST" and decision in ("accept", "refuse"):
        try:
            if decision == "accept":
                accept_form = SignupAcceptForm(request.POST, communes=communes, signup=signup)
                if accept_form.is_valid():
                    signup, user = carrier_records.accept_signup(
                        signup.pk,
                        by=request.user,
                        commune=accept_form.cleaned_data["commune"],
                        kind=accept_form.cleaned_data["kind"],
                        base_url=_base_url(request),
                    )
                    messages.success(
                        request,
                        f"Demande acceptée : {signup.carrier} est créé"
                        + (
                            f" et {signup.email} est invité à choisir son mot de passe."
                            if user
                            else " ; cette adresse ne peut pas rejoindre un porteur, invitez "
                            "une autre personne."
                        ),
                    )
                    return redirect("projects:carrier_detail", pk=signup.carrier.pk)
            else:
                refuse_form = SignupRefuseForm(request.POST)
                if refuse_form.is_valid():
                    carrier_records.refuse_signup(
                        signup.pk, by=request.user, reason=refuse_form.cleaned_data["reason"]
                    )
                    messages.success(request, "Demande refusée ; le motif est envoyé au demandeur.")
                    return redirect("projects:signup_list")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("projects:signup_detail", pk=signup.pk)
    return render(
        request,
        "projects/signup_detail.html",
        {
            "signup": signup,
            "accept_form": accept_form,
            "refuse_form": refuse_form,
            "history": signup.history.select_related("history_user")[:10],
        },
    )
