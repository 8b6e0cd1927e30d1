"""The advisor's decision on a collective's rural status, from the review page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from projects import rural

from ..forms import RuralOverrideForm

STATUS_OF = {None: "commune", True: "rural", False: "urbain"}


def rural_context(project, can_review, forms):
    """The review page's collectives, each with its rural form (a posted one keeps its errors
    and entries)."""
    collectives = project.collectives.select_related("commune").prefetch_related("intervenants")
    return {
        "can_override_rural": can_review and project.status not in rural.DECIDED,
        "collective_rows": [
            (
                c,
                forms.get(("rural", c.pk))
                or RuralOverrideForm(
                    prefix=f"rural-{c.pk}",
                    initial={
                        "status": STATUS_OF[c.rural_override],
                        "reason": c.rural_override_reason,
                    },
                ),
            )
            for c in collectives
        ],
    }


@require_POST
def review_rural(request, pk, collective_pk):
    """The advisor classes a collective rural or not against its commune's flag, with a reason
    traced with the before and after; the Caf's rural rules then apply to that collective."""
    from .review import _require_review, _staff_project, review

    project = _staff_project(request, pk)
    _require_review(request, project)
    collective = get_object_or_404(project.collectives.select_related("commune"), pk=collective_pk)
    if project.status in rural.DECIDED:
        messages.error(request, "La décision est prise : ce classement ne peut plus changer.")
        return redirect("committee:review", pk=project.pk)
    form = RuralOverrideForm(request.POST, prefix=f"rural-{collective.pk}")
    if not form.is_valid():
        return review(request, pk, forms={("rural", collective.pk): form})
    rural.override(
        collective, by=request.user, value=form.value(), reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        f"« {collective.name} » : milieu rural {'oui' if collective.is_rural else 'non'} "
        "(classement enregistré).",
    )
    return redirect("committee:review", pk=project.pk)
