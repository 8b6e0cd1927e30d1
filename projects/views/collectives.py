"""Collectives of a request, each with its intervenants."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import CollectiveForm, IntervenantFormSet
from ..steps import can_edit_section
from .common import carrier_project
from .request import _context, step_url


def _editable(request, pk):
    project = carrier_project(request, pk)
    if not can_edit_section(project, "collectifs"):
        messages.error(request, "Les collectifs ne sont plus modifiables : la demande est déposée.")
        return project, False
    return project, True


@require_http_methods(["GET", "POST"])
def collective_edit(request, pk, collective_pk=None):
    project, editable = _editable(request, pk)
    if not editable:
        return redirect(step_url(project, "collectifs"))
    collective = get_object_or_404(project.collectives, pk=collective_pk) if collective_pk else None
    if request.method == "POST":
        form = CollectiveForm(request.POST, instance=collective, project=project)
        formset = IntervenantFormSet(
            request.POST, instance=collective or form.instance, prefix="intervenants"
        )
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.project = project
                saved.save()
                formset.instance = saved
                formset.save()
            messages.success(request, f"Collectif « {saved.name} » enregistré.")
            return redirect(step_url(project, "collectifs"))
    else:
        initial = {
            "commune": project.carrier.commune_id,
            "weekdays": ["mardi", "jeudi"],
            "school_level": project.school_level or None,
        }
        form = CollectiveForm(
            instance=collective, project=project, initial=initial if collective is None else None
        )
        formset = IntervenantFormSet(instance=collective, prefix="intervenants")
    return render(
        request,
        "projects/request/collective_form.html",
        _context(project, "collectifs", form=form, formset=formset, collective=collective),
    )


@require_POST
def collective_delete(request, pk, collective_pk):
    project, editable = _editable(request, pk)
    if editable:
        collective = get_object_or_404(project.collectives, pk=collective_pk)
        collective.delete()
        messages.success(request, f"Collectif « {collective.name} » supprimé.")
    return redirect(step_url(project, "collectifs"))
