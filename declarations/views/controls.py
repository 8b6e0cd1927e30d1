"""Controls and visits: the campaign's list, a control's page (the carrier sees its results and
follow-up, the Caf everything), recording and editing, follow-up and consequence, and the Caf's
checklist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clasportal.lists import configure_table
from clasportal.scoping import get_visible_or_404
from projects.models import Campaign, Project

from .. import controls
from ..control_forms import ChecklistItemForm, ConsequenceForm, ControlForm
from ..control_lists import ControlFilter, ControlTable
from ..errors import DeclarationError
from ..models import Control, ControlChecklistItem, Declaration


def _require(request, permission, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def control_list(request):
    """The controls of a campaign, filtered; one page of 25 in a constant number of queries."""
    _require(request, "declarations.view_controls")
    campaigns = Campaign.objects.visible_to(request.user).order_by("-year")
    chosen = request.GET.get("campagne", "")
    campaign = (
        campaigns.filter(pk=chosen).first() if chosen.isascii() and chosen.isdigit() else None
    ) or (
        # By default the latest campaign that has controls (they follow the year's actions).
        campaigns.filter(
            pk__in=Control.objects.visible_to(request.user).values("project__campaign")
        ).first()
        or campaigns.first()
    )
    queryset = (
        Control.objects.visible_to(request.user).for_list().filter(project__campaign=campaign)
    )
    control_filter = ControlFilter(request.GET, queryset=queryset, user=request.user)
    table = ControlTable(control_filter.qs)
    configure_table(request, table, 25)
    return render(
        request,
        "declarations/control_list.html",
        {
            "filter": control_filter,
            "table": table,
            "campaign": campaign,
            "campaigns": campaigns,
        },
    )


def _project(request, pk):
    return get_visible_or_404(
        Project.objects.select_related("carrier", "campaign__caf"), request.user, pk=pk
    )


def control_create(request, project_pk):
    project = _project(request, project_pk)
    _require(request, "declarations.record_control", project)
    labels = controls.checklist_labels(project.campaign.caf)
    form = ControlForm(
        request.POST or None,
        project=project,
        labels=labels,
        initial={"controller": request.user.pk},
        instance=Control(project=project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            control = controls.record_control(
                project, by=request.user, fields=form.control_fields(), checks=form.checks()
            )
        except DeclarationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contrôle enregistré ; le porteur en est informé.")
            return redirect("declarations:control_detail", pk=control.pk)
    return render(
        request,
        "declarations/control_form.html",
        {"form": form, "project": project, "control": None},
    )


def _control(request, pk):
    return get_visible_or_404(
        Control.objects.select_related(
            "project__carrier",
            "project__campaign__caf",
            "controller",
            "follow_up_done_by",
            "consequence_decided_by",
        ),
        request.user,
        pk=pk,
    )


def control_detail(request, pk, consequence_form=None):
    control = _control(request, pk)
    _require(request, "declarations.view_control", control)
    # The Caf reads the whole control; the carrier its results, follow-up and shared comments.
    is_caf = request.user.has_perm("declarations.view_controls")
    may_record = request.user.has_perm("declarations.record_control", control)
    actual = Declaration.objects.filter(project=control.project, kind="actual").first()
    return render(
        request,
        "declarations/control_detail.html",
        {
            "control": control,
            "project": control.project,
            "checks": control.checks.all(),
            "is_caf": is_caf,
            "may_record": may_record,
            "consequence_form": consequence_form or ConsequenceForm(),
            "actual": actual,
        },
    )


def control_edit(request, pk):
    control = _control(request, pk)
    _require(request, "declarations.record_control", control)
    labels = [c.label for c in control.checks.all()] or controls.checklist_labels(
        control.project.campaign.caf
    )
    form = ControlForm(
        request.POST or None, project=control.project, labels=labels, instance=control
    )
    if request.method == "POST" and form.is_valid():
        try:
            controls.update_control(
                control.pk, by=request.user, fields=form.control_fields(), checks=form.checks()
            )
        except DeclarationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contrôle mis à jour.")
            return redirect("declarations:control_detail", pk=control.pk)
    return render(
        request,
        "declarations/control_form.html",
        {"form": form, "project": control.project, "control": control},
    )


@require_POST
def control_follow_up_done(request, pk):
    control = _control(request, pk)
    _require(request, "declarations.record_control", control)
    try:
        controls.mark_follow_up_done(control.pk, by=request.user)
    except DeclarationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Suite du contrôle marquée comme réalisée.")
    return redirect("declarations:control_detail", pk=control.pk)


@require_POST
def control_consequence(request, pk):
    control = _control(request, pk)
    _require(request, "declarations.record_control", control)
    form = ConsequenceForm(request.POST)
    if form.is_valid():
        try:
            controls.decide_consequence(
                control.pk,
                by=request.user,
                consequence=form.cleaned_data["consequence"],
                note=form.cleaned_data["note"],
            )
        except DeclarationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Suite du contrôle enregistrée ; le porteur en est informé.")
            return redirect("declarations:control_detail", pk=control.pk)
    return control_detail(request, pk, consequence_form=form)


def control_checklist(request):
    """The Caf administrator's checklist: the points every new control checks."""
    _require(request, "declarations.manage_control_checklist")
    caf = request.user.caf
    form = ChecklistItemForm(request.POST or None, caf=caf)
    if request.method == "POST":
        controls.ensure_checklist(caf)
        if form.is_valid():
            item = form.save(commit=False)
            item.caf = caf
            item.save()
            messages.success(request, f"« {item.label} » ajouté à la grille de contrôle.")
            return redirect("declarations:control_checklist")
    items = ControlChecklistItem.objects.visible_to(request.user)
    return render(
        request,
        "declarations/control_checklist.html",
        {
            "form": form,
            "items": items,
            "defaults": None if items.exists() else controls.checklist_labels(caf),
        },
    )


@require_POST
def control_checklist_item(request, pk):
    """Rename, reorder, or take out of new controls one point of the Caf's list."""
    item = get_visible_or_404(ControlChecklistItem, request.user, pk=pk)
    _require(request, "declarations.manage_control_checklist", item)
    form = ChecklistItemForm(request.POST, instance=item, caf=item.caf)
    if form.is_valid():
        form.save()
        messages.success(request, "Grille de contrôle mise à jour.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("declarations:control_checklist")
