"""A carrier's identity (name, SIRET, legal status, representative) changes through a request
the Caf validates once the Caf knows it; before and after are kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clasportal.scoping import get_visible_or_404

from ..forms import IdentityChangeForm
from ..models import Carrier, CarrierIdentityChange
from ..services import decide_identity_change, request_identity_change


@require_POST
def identity_change_request(request, pk):
    from .lists import carrier_detail

    carrier = get_visible_or_404(Carrier, request.user, pk=pk)
    if not request.user.has_perm("projects.request_identity_change", carrier):
        raise PermissionDenied
    # Validated on a throwaway copy: the carrier itself changes only when the Caf accepts.
    form = IdentityChangeForm(request.POST, instance=Carrier.objects.get(pk=carrier.pk))
    if form.is_valid():
        try:
            request_identity_change(
                carrier,
                by=request.user,
                values=form.cleaned_data,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Demande transmise à la Caf : elle vous répondra ici.")
            return redirect("projects:carrier_detail", pk=carrier.pk)
    return carrier_detail(request, pk, identity_form=form)


@require_POST
def identity_change_decide(request, pk):
    change = get_visible_or_404(
        CarrierIdentityChange.objects.select_related("carrier"), request.user, pk=pk
    )
    if not request.user.has_perm("projects.decide_identity_change", change.carrier):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    try:
        decide_identity_change(
            change.pk, by=request.user, accept=accept, note=request.POST.get("note", "")[:2000]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Modification appliquée." if accept else "Modification refusée.")
    return redirect("projects:carrier_detail", pk=change.carrier_id)
