"""The Caf administrator's partner organisations and their people's accounts, and who sits on a
session (members, attendance) from the session page (issue 18)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from clasportal.accounts import locked_usernames
from clasportal.scoping import get_visible_or_404

from ..models import CommitteeSession, PartnerOrganisation
from ..partners import (
    AttendanceError,
    MembersForm,
    OrganisationForm,
    PartnerAccountForm,
    invite_partner,
    record_attendance,
    set_members,
)
from ..people import PartnerAccount


def _admin_caf(request):
    if not request.user.has_perm("committee.manage_partners"):
        raise PermissionDenied
    return request.user.caf


def _base_url(request):
    return request.build_absolute_uri("/")[:-1]


@require_http_methods(["GET", "POST"])
def partner_list(request):
    caf = _admin_caf(request)
    form = OrganisationForm(request.POST or None, caf=caf)
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(request, f"Partenaire « {organisation} » créé.")
        return redirect("committee:partner_edit", pk=organisation.pk)
    organisations = (
        PartnerOrganisation.objects.visible_to(request.user)
        .annotate(accounts_count=Count("accounts"))
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "committee/partners/list.html",
        {"caf": caf, "organisations": organisations, "form": form},
    )


@require_http_methods(["GET", "POST"])
def partner_edit(request, pk):
    caf = _admin_caf(request)
    organisation = get_visible_or_404(PartnerOrganisation, request.user, pk=pk)
    form = OrganisationForm(request.POST or None, instance=organisation, caf=caf)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Partenaire « {organisation} » enregistré.")
        return redirect("committee:partner_edit", pk=organisation.pk)
    return _edit_page(request, organisation, form, PartnerAccountForm())


def _edit_page(request, organisation, form, account_form):
    accounts = list(
        PartnerAccount.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return render(
        request,
        "committee/partners/edit.html",
        {
            "organisation": organisation,
            "form": form,
            "account_form": account_form,
            "accounts": accounts,
            "locked": locked_usernames(a.user.email for a in accounts),
            "history": organisation.history.select_related("history_user")[:10],
        },
    )


@require_POST
def partner_activation(request, pk):
    _admin_caf(request)
    organisation = get_visible_or_404(PartnerOrganisation, request.user, pk=pk)
    organisation.is_active = not organisation.is_active
    organisation._change_reason = "Réactivé" if organisation.is_active else "Désactivé"
    organisation.save()
    if organisation.is_active:
        messages.success(request, f"« {organisation} » est de nouveau actif.")
    else:
        messages.success(
            request,
            f"« {organisation} » est désactivé : ses comptes ne voient plus aucun comité et il "
            "n'est plus proposé comme membre.",
        )
    return redirect("committee:partner_edit", pk=organisation.pk)


@require_POST
def partner_invite(request, pk):
    _admin_caf(request)
    organisation = get_visible_or_404(PartnerOrganisation, request.user, pk=pk)
    account_form = PartnerAccountForm(request.POST)
    if not organisation.is_active:
        messages.error(request, f"« {organisation} » est désactivé : réactivez-le d'abord.")
        return redirect("committee:partner_edit", pk=organisation.pk)
    if not account_form.is_valid():
        form = OrganisationForm(instance=organisation, caf=organisation.caf)
        return _edit_page(request, organisation, form, account_form)
    data = account_form.cleaned_data
    account = invite_partner(
        organisation,
        by=request.user,
        base_url=_base_url(request),
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        function=data["function"],
    )
    messages.success(
        request,
        f"Compte partenaire créé pour {account.user.email} ; une invitation lui est envoyée.",
    )
    return redirect("committee:partner_edit", pk=organisation.pk)


@require_POST
def partner_account_toggle(request, pk):
    _admin_caf(request)
    account = get_visible_or_404(PartnerAccount.objects.select_related("user"), request.user, pk=pk)
    user = account.user
    user.is_active = not user.is_active
    user.save(update_fields=["is_active"])
    account._change_reason = "Compte réactivé" if user.is_active else "Compte désactivé"
    account.save()
    messages.success(request, f"Compte de {user} {'réactivé' if user.is_active else 'désactivé'}.")
    return redirect("committee:partner_edit", pk=account.organisation_id)


def _session(request, pk, permission):
    session = get_visible_or_404(CommitteeSession, request.user, pk=pk)
    if not request.user.has_perm(permission, session):
        raise PermissionDenied
    return session


@require_POST
def session_members(request, pk):
    session = _session(request, pk, "committee.manage_session")
    form = MembersForm(request.POST, user=request.user)
    if not session.is_open:
        messages.error(request, "Le comité est clos : ses membres ne changent plus.")
    elif form.is_valid():
        set_members(session, form.cleaned_data["members"], by=request.user)
        count = len(form.cleaned_data["members"])
        messages.success(
            request, f"{count} membre{pluralize(count)} du comité enregistré{pluralize(count)}."
        )
    else:
        messages.error(request, " ".join(form.errors.get("members", [])))
    return redirect("committee:session_detail", pk=session.pk)


@require_POST
def session_attendance(request, pk):
    session = _session(request, pk, "committee.record_attendance")
    statuses = {}
    for key, value in request.POST.items():
        if key.startswith("status-"):
            pk_text = key.removeprefix("status-")
            if not (pk_text.isascii() and pk_text.isdigit()):
                messages.error(
                    request, "Choisissez, pour chaque membre, présent, excusé ou absent."
                )
                return redirect("committee:session_detail", pk=session.pk)
            statuses[int(pk_text)] = value
    try:
        count = record_attendance(session, statuses, by=request.user)
    except AttendanceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Présences enregistrées ({count} membre{pluralize(count)}).")
    return redirect("committee:session_detail", pk=session.pk)
