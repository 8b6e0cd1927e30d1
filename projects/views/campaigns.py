"""The Caf administrator's side of a campaign: creation, next year's copy, deposit window,
reopenings, required documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import confirmation
from clasportal.scoping import get_visible_or_404

from ..campaigns import CampaignError, archive_campaign, archive_problems, copy_campaign
from ..forms import CampaignForm, DocumentTypeForm, WindowExceptionForm
from ..models import Campaign, DocumentType


def _caf_campaign(request, pk):
    if not request.user.has_perm("projects.view_campaigns"):
        raise PermissionDenied
    return get_visible_or_404(
        Campaign.objects.select_related("caf", "copied_from"), request.user, pk=pk
    )


def _require_admin(request, caf):
    if not request.user.has_perm("projects.manage_campaign", caf):
        raise PermissionDenied


def campaign_list(request):
    if not request.user.has_perm("projects.view_campaigns"):
        raise PermissionDenied
    return render(
        request,
        "projects/campaign_list.html",
        {
            "campaigns": Campaign.objects.visible_to(request.user).select_related("copied_from"),
            "can_manage": request.user.has_perm("projects.manage_campaign", request.user.caf),
            "documents": DocumentType.objects.visible_to(request.user).select_related("campaign"),
            "document_form": DocumentTypeForm(caf=request.user.caf),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    caf = request.user.caf
    _require_admin(request, caf)
    form = CampaignForm(request.POST or None, caf=caf)
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.caf = caf
        campaign.save()
        messages.success(request, f"Campagne {campaign.school_year} créée.")
        return redirect("projects:campaign_edit", pk=campaign.pk)
    return render(request, "projects/campaign_create.html", {"form": form})


@require_POST
def campaign_copy(request, pk):
    campaign = _caf_campaign(request, pk)
    _require_admin(request, campaign.caf)
    try:
        copy, summary = copy_campaign(campaign.pk, by=request.user)
    except CampaignError as exc:
        messages.error(request, exc.message)
        return redirect("projects:campaign_list")
    messages.success(
        request,
        f"Campagne {copy.school_year} créée d'après {campaign.school_year}, dates décalées "
        f"d'un an{' : ' + ', '.join(summary) if summary else ''}. Vérifiez les dates et les "
        "priorités.",
    )
    return redirect("projects:campaign_edit", pk=copy.pk)


@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = _caf_campaign(request, pk)
    _require_admin(request, campaign.caf)
    form = CampaignForm(instance=campaign, caf=campaign.caf)
    exception_form = WindowExceptionForm(campaign=campaign)
    if request.method == "POST" and request.POST.get("form") == "window":
        form = CampaignForm(request.POST, instance=campaign, caf=campaign.caf)
        if form.is_valid():
            form.save()
            messages.success(request, f"Campagne {campaign.school_year} enregistrée.")
            return redirect("projects:campaign_edit", pk=campaign.pk)
    elif request.method == "POST" and request.POST.get("form") == "exception":
        exception_form = WindowExceptionForm(request.POST, campaign=campaign)
        if exception_form.is_valid():
            with transaction.atomic():
                exception = exception_form.save(commit=False)
                exception.campaign = campaign
                exception.granted_by = request.user
                exception.save()
            messages.success(
                request,
                f"Dépôt rouvert pour {exception.carrier} jusqu'au {exception.until:%d/%m/%Y}.",
            )
            return redirect("projects:campaign_edit", pk=campaign.pk)
    return render(
        request,
        "projects/campaign_edit.html",
        {
            "campaign": campaign,
            "form": form,
            "exception_form": exception_form,
            "exceptions": campaign.exceptions.select_related("carrier", "granted_by"),
            "documents": campaign.document_types.all(),
            "sessions": campaign.sessions.order_by("date"),
        },
    )


@require_POST
def document_type_add(request):
    caf = request.user.caf
    _require_admin(request, caf)
    form = DocumentTypeForm(request.POST, caf=caf)
    if form.is_valid():
        document = form.save(commit=False)
        document.caf = caf
        document.save()
        scope = (
            f"la campagne {document.campaign.school_year}"
            if document.campaign
            else "toutes les campagnes"
        )
        messages.success(request, f"Pièce « {document.name} » ajoutée pour {scope}.")
    else:
        messages.error(
            request,
            "Pièce non ajoutée : "
            + " ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("projects:campaign_list")


@require_POST
def document_type_delete(request, pk):
    document = get_visible_or_404(DocumentType, request.user, pk=pk)
    _require_admin(request, document.caf)
    document.delete()
    messages.success(request, f"Pièce « {document.name} » retirée de la liste.")
    return redirect("projects:campaign_list")


@require_POST
def campaign_archive(request, pk):
    """Archive a closed campaign, after a confirmation saying what it changes."""
    from django.urls import reverse
    from django.utils import timezone

    campaign = _caf_campaign(request, pk)
    _require_admin(request, campaign.caf)
    today = timezone.localdate()
    problems = archive_problems(campaign, today)
    if problems:
        messages.error(request, " ".join(problems))
        return redirect("projects:campaign_list")
    if not confirmation.confirmed(request):
        return confirmation.ask(
            request,
            title=f"Archiver la campagne {campaign.school_year} ?",
            summary=[
                "Plus rien ne change dans ses demandes, déclarations, paiements et comités.",
                "Ses dossiers quittent les listes de travail (instruction, déclarations, "
                "projets) ; on les retrouve en choisissant la campagne dans le filtre.",
                "Les chiffres et le bilan départemental restent consultables.",
            ],
            action=reverse("projects:campaign_archive", args=[campaign.pk]),
            cancel=reverse("projects:campaign_list"),
            button="Archiver la campagne",
        )
    try:
        archive_campaign(campaign.pk, by=request.user, today=today)
    except CampaignError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"La campagne {campaign.school_year} est archivée.")
    return redirect("projects:campaign_list")
