"""The Caf administrator's side of a campaign: deposit window, reopenings, required documents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clasportal.scoping import get_visible_or_404

from ..forms import CampaignForm, DocumentTypeForm, WindowExceptionForm
from ..models import Campaign, DocumentType


def _caf_campaign(request, pk):
    if not request.user.has_perm("projects.view_campaigns"):
        raise PermissionDenied
    return get_visible_or_404(Campaign.objects.select_related("caf"), request.user, pk=pk)


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
            "campaigns": Campaign.objects.visible_to(request.user),
            "can_manage": request.user.has_perm("projects.manage_campaign", request.user.caf),
            "documents": DocumentType.objects.visible_to(request.user),
            "document_form": DocumentTypeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = _caf_campaign(request, pk)
    _require_admin(request, campaign.caf)
    form = CampaignForm(instance=campaign)
    exception_form = WindowExceptionForm(campaign=campaign)
    if request.method == "POST" and request.POST.get("form") == "window":
        form = CampaignForm(request.POST, instance=campaign)
        if form.is_valid():
            form.save()
            messages.success(request, "Fenêtre de dépôt enregistrée.")
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
        },
    )


@require_POST
def document_type_add(request):
    caf = request.user.caf
    _require_admin(request, caf)
    form = DocumentTypeForm(request.POST)
    if form.is_valid():
        document = form.save(commit=False)
        document.caf = caf
        document.save()
        messages.success(request, f"Pièce « {document.name} » ajoutée à la liste.")
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
