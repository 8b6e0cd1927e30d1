"""The in-year bonus request: the carrier fills the Loire form from its project's page, the
advisor decides from the review page (its pending requests are listed in the queue)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clasportal.scoping import get_visible_or_404
from projects.models import Project

from .. import bonus_requests as service
from ..bonus_request_forms import BonusDecisionForm, InYearBonusRequestForm
from ..models import InYearBonusRequest


def bonus_request_create(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("carrier", "campaign"), request.user, pk=pk
    )
    if not request.user.has_perm("committee.request_bonus", project):
        raise PermissionDenied
    choices = service.requestable(project)
    blocked = service.why_not(project)
    form = InYearBonusRequestForm(
        request.POST or None,
        choices=choices,
        agreed=project.agreed_collectives or 0,
        initial={"bonus": choices[0] if len(choices) == 1 else None},
    )
    if request.method == "POST" and choices and form.is_valid():
        try:
            service.request_bonus(project.pk, by=request.user, fields=form.request_fields())
        except service.BonusRequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Demande de bonus transmise à votre conseiller ; vous serez informé."
            )
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "committee/bonus_request_form.html",
        {
            "project": project,
            "form": form,
            "blocked": blocked
            or (
                None if choices else "Les deux bonus sont déjà accordés ou demandés pour ce projet."
            ),
            "requests": project.in_year_bonus_requests.all(),
        },
    )


@require_POST
def bonus_request_decide(request, pk):
    bonus_request = get_visible_or_404(
        InYearBonusRequest.objects.select_related("project"), request.user, pk=pk
    )
    if not request.user.has_perm("committee.decide_bonus", bonus_request.project):
        raise PermissionDenied
    form = BonusDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            service.decide(
                bonus_request.pk,
                by=request.user,
                granted=form.cleaned_data["granted"],
                reason=form.cleaned_data["reason"],
            )
        except service.BonusRequestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Décision sur la demande de bonus enregistrée.")
    return redirect("committee:review", pk=bonus_request.project_id)
