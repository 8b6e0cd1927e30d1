"""The co-financers' screens (issue 18): each financer's decision on an agenda item, the Caf
administrator's schemes and envelopes per campaign."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import confirmation
from clasportal.lists import page_number
from clasportal.scoping import get_visible_or_404
from projects import workflow
from projects.models import Campaign, DocumentType

from .. import cofinancing
from ..financer_forms import EnvelopeForm, FinancerDecisionForm, SchemeForm, decision_form_kit
from ..financers import Envelope, FinancingScheme
from ..models import PartnerOrganisation
from .sessions import _session, session_detail


@require_POST
def session_financer_decide(request, pk, item_pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.record_financer_decision", session):
        raise PermissionDenied
    item = get_object_or_404(session.items.select_related("project"), pk=item_pk)
    kit = decision_form_kit(request.user, session)
    form = FinancerDecisionForm(request.POST, prefix=f"fin{item.pk}", **kit)
    page = page_number(request.POST.get("page"))
    if not form.is_valid():
        messages.error(request, "Décision du financeur non enregistrée : corrigez le formulaire.")
        return session_detail(request, pk, financer_forms={item.pk: form})
    data = form.cleaned_data
    try:
        cofinancing.record_financer_decision(
            item.pk,
            by=request.user,
            partner=data["partner"],
            scheme=data["scheme"],
            outcome=data["outcome"],
            amount=data.get("amount") or 0,
            note=data["note"],
            confirmed=confirmation.confirmed(request),
        )
    except cofinancing.EnvelopeOverrun as exc:
        return confirmation.ask(
            request,
            title="Dépasser l'enveloppe ?",
            intro=exc.message,
            summary=[
                f"La décision de {data['partner'].name} sur « {item.project.title} » sera "
                "enregistrée au-delà de son enveloppe.",
                "Le dépassement sera inscrit au journal des actions (qui, quand, de combien).",
            ],
            action=reverse("committee:session_financer_decide", args=[session.pk, item.pk]),
            cancel=reverse("committee:session_detail", args=[session.pk]),
            button="Enregistrer malgré le dépassement",
        )
    except cofinancing.FinancerError as exc:
        field = "funding" if exc.field in ("partner", "scheme") else exc.field
        form.add_error(field if field in form.fields else None, exc.message)
        messages.error(request, exc.message)
        return session_detail(request, pk, financer_forms={item.pk: form})
    messages.success(
        request, f"Décision de {data['partner'].name} enregistrée pour « {item.project.title} »."
    )
    url = reverse("committee:session_detail", args=[session.pk])
    return redirect(f"{url}?page={page}#item-{item.pk}" if page > 1 else f"{url}#item-{item.pk}")


def _caf(request, permission):
    caf = request.user.caf
    if not request.user.has_perm(permission, caf):
        raise PermissionDenied
    return caf


def _campaign(request):
    campaigns = Campaign.objects.visible_to(request.user).order_by("-year")
    chosen = request.GET.get("campagne", "")
    if chosen.isascii() and chosen.isdigit():
        campaign = campaigns.filter(pk=int(chosen)).first()
        if campaign is not None:
            return campaigns, campaign
    return campaigns, campaigns.first()


def scheme_list(request, envelope_form=None):
    _caf(request, "committee.manage_schemes")
    campaigns, campaign = _campaign(request)
    partners = list(PartnerOrganisation.objects.visible_to(request.user).order_by("name"))
    schemes = (
        FinancingScheme.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("partner", "required_document")
    )
    envelopes = {
        e.partner_id: e for e in Envelope.objects.visible_to(request.user).filter(campaign=campaign)
    }
    return render(
        request,
        "committee/scheme_list.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "schemes": schemes,
            "envelopes": [("La Caf", envelopes.get(None))]
            + [(p.name, envelopes.get(p.pk)) for p in partners],
            "envelope_form": envelope_form
            or EnvelopeForm(partners=[p for p in partners if p.is_active]),
            "can_set_envelope": request.user.has_perm("committee.set_envelope", request.user.caf),
        },
    )


def _scheme_form(request, data=None, instance=None):
    return SchemeForm(
        data,
        instance=instance,
        partners=PartnerOrganisation.objects.visible_to(request.user).filter(is_active=True),
        campaigns=Campaign.objects.visible_to(request.user).filter(archived_at__isnull=True),
        documents=DocumentType.objects.visible_to(request.user),
        initial={"campaign": request.GET.get("campagne")} if instance is None else None,
    )


@require_http_methods(["GET", "POST"])
def scheme_create(request):
    _caf(request, "committee.manage_schemes")
    form = _scheme_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        scheme = form.save()
        messages.success(request, f"Dispositif « {scheme.name} » créé.")
        return redirect(f"{reverse('committee:scheme_list')}?campagne={scheme.campaign_id}")
    return render(request, "committee/scheme_form.html", {"form": form, "scheme": None})


@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk):
    scheme = get_visible_or_404(
        FinancingScheme.objects.select_related("partner"), request.user, pk=pk
    )
    if not request.user.has_perm("committee.manage_schemes", scheme):
        raise PermissionDenied
    form = _scheme_form(request, request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Dispositif « {scheme.name} » enregistré.")
        return redirect(f"{reverse('committee:scheme_list')}?campagne={scheme.campaign_id}")
    return render(request, "committee/scheme_form.html", {"form": form, "scheme": scheme})


@require_POST
def envelope_set(request):
    caf = _caf(request, "committee.set_envelope")
    campaigns, campaign = _campaign(request)
    if campaign is None:
        raise PermissionDenied
    partners = list(PartnerOrganisation.objects.visible_to(request.user).filter(is_active=True))
    form = EnvelopeForm(request.POST, partners=partners)
    if not form.is_valid():
        messages.error(request, "Enveloppe non enregistrée : corrigez le formulaire.")
        return scheme_list(request, envelope_form=form)
    partner, amount = form.partner(), form.cleaned_data["amount"]
    with transaction.atomic():
        envelope = (
            Envelope.objects.select_for_update()
            .filter(campaign=campaign, partner=partner)
            .order_by("pk")
            .first()
        )
        before = envelope.amount if envelope else None
        if envelope is None:
            envelope = Envelope.objects.create(
                caf=caf, campaign=campaign, partner=partner, amount=amount
            )
        else:
            envelope.amount = amount
            envelope.save(update_fields=["amount"])
        workflow.record(
            envelope,
            by=request.user,
            action="envelope_set",
            kind="envelope",
            note=f"{partner.name if partner else 'Caf'} — {campaign}",
            data={"before": str(before) if before is not None else None, "after": str(amount)},
        )
    messages.success(request, "Enveloppe enregistrée.")
    return redirect(f"{reverse('committee:scheme_list')}?campagne={campaign.pk}")
