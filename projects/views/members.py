"""A carrier's members: a new invitation for a colleague whose first one expired."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from clasportal.scoping import get_visible_or_404

from ..models import Carrier
from ..services import answer_invitation, resend_invitation


@require_POST
def member_invite_resend(request, pk, membership_pk):
    carrier = get_visible_or_404(Carrier, request.user, pk=pk)
    if not request.user.has_perm("projects.invite_member", carrier):
        raise PermissionDenied
    membership = get_object_or_404(
        carrier.memberships.select_related("user", "carrier"), pk=membership_pk
    )
    try:
        resend_invitation(
            membership=membership, by=request.user, base_url=request.build_absolute_uri("/")[:-1]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Invitation renvoyée à {membership.user.email}.")
    return redirect("projects:carrier_detail", pk=carrier.pk)


@require_POST
def invitation_answer(request, membership_pk):
    """The invited person answers: only their own pending invitation exists for them."""
    pending = request.user.carrier_memberships.filter(accepted_at__isnull=True)
    membership = get_object_or_404(pending.select_related("carrier"), pk=membership_pk)
    if not request.user.has_perm("projects.answer_invitation", membership):
        raise PermissionDenied
    accept = request.POST.get("answer") == "accept"
    answer_invitation(membership, accept=accept)
    if accept:
        messages.success(request, f"Vous êtes membre de {membership.carrier}.")
    else:
        messages.info(request, f"Invitation de {membership.carrier} refusée.")
    return redirect("home")
