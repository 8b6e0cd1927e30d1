"""The committee suspends, lifts or withdraws an agrément during the year; the GC settles the
amounts to recover (issue 17). Both POST only for what changes; the withdrawal lists what
follows and asks first (clasportal.confirmation)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import confirmation
from clasportal.scoping import get_visible_or_404
from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import Project

from .. import agreement
from ..forms import AgreementChangeForm, RecoverySettleForm
from ..models import Recovery
from ..workflow import RECOVERY

AGREEMENT_ACTIONS = tuple(agreement.ACTIONS)


@require_http_methods(["GET", "POST"])
def agreement_change(request, project_pk):
    project = get_visible_or_404(
        Project.objects.select_related("campaign", "carrier"), request.user, pk=project_pk
    )
    if not request.user.has_perm("committee.withdraw_agreement", project):
        raise PermissionDenied
    allowed = [a for a in workflow.allowed_actions(project, request.user) if a in AGREEMENT_ACTIONS]
    form = AgreementChangeForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = {
            "by": request.user,
            "reason": data["reason"],
            "effective_on": data["effective_on"],
            "weeks_run": data["weeks_run"] if data["action"] == "withdraw" else None,
        }
        try:
            if not confirmation.confirmed(request):
                follows = agreement.describe(project, data["action"], **options)
                label = dict(AgreementChangeForm.ACTIONS)[data["action"]]
                return confirmation.ask(
                    request,
                    title=f"{label} — « {project.title} » ?",
                    intro=f"À compter du {data['effective_on']:%d/%m/%Y}. Motif : {data['reason']}",
                    summary=follows or ["Aucune déclaration ni aucun paiement n'est concerné."],
                    action=reverse("declarations:agreement", args=[project.pk]),
                    cancel=reverse("declarations:agreement", args=[project.pk]),
                    button=f"Confirmer : {label.lower()}",
                )
            agreement.change_agreement(project.pk, data["action"], **options)
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Décision enregistrée ; le porteur est prévenu.")
            return redirect(project.get_absolute_url())
    return render(
        request,
        "declarations/agreement.html",
        {
            "project": project,
            "form": form,
            "allowed": allowed,
            "changes": project.agreement_changes.select_related("decided_by", "recovery"),
        },
    )


@require_POST
def recovery_settle(request, pk):
    recovery = get_visible_or_404(Recovery.objects.select_related("project"), request.user, pk=pk)
    if not request.user.has_perm("declarations.settle_recovery", recovery):
        raise PermissionDenied
    form = RecoverySettleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("declarations:payments")
    from django.utils import timezone

    data = form.cleaned_data
    try:
        recovery = RECOVERY.fire(
            recovery.pk,
            data["action"],
            by=request.user,
            note=data["note"],
            data={"amount": str(recovery.amount)},
            settled_at=timezone.now(),
            settled_by=request.user,
            settle_note=data["note"],
        )
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Indu : {recovery.get_status_display().lower()}.")
    return redirect("declarations:payments")
