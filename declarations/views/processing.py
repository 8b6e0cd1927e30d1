"""The GC's queue and processing page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clasportal import confirmation
from clasportal.formatting import format_euros
from clasportal.models import Territory
from funding.cases import CaseError, result_to_json
from funding.services import compute_from_data
from projects.budget import line_label

from .. import bonus_costs, list_exports, rejections, services
from ..consequences import EffectError, effect_text
from ..excess import excess_of, tolerance_text
from ..forms import JustificationDecisionForm, ReturnForm
from ..models import Declaration
from .common import visible_declaration


def _staff(request):
    if not request.user.has_perm("declarations.view_queue"):
        raise PermissionDenied


QUEUE_COLUMNS = (
    "kind",
    "status",
    "submitted_at",
    "due_on",
    "findings",
    "project",
    "project__title",
    "project__carrier",
    "project__carrier__legal_name",
)


def declaration_queue(request):
    _staff(request)
    today = timezone.localdate()
    declarations = Declaration.objects.visible_to(request.user).for_list().with_lateness(today)
    params = request.GET
    declarations = list_exports.filter_declarations(declarations, params)
    # Only the columns the list shows (issue 21): not 25 whole projects with their commune,
    # territory and campaign.
    declarations = (
        declarations.select_related(None).select_related("project__carrier").only(*QUEUE_COLUMNS)
    )
    page = Paginator(declarations, 25).get_page(params.get("page"))
    return render(
        request,
        "declarations/queue.html",
        {
            "list_exports": [("declarations", "Déclarations")],
            "export_formats": ["xlsx", "csv"],
            "page": page,
            "statuses": Declaration.Status.choices,
            "kinds": Declaration.Kind.choices,
            "territories": Territory.objects.visible_to(request.user),
            "params": params,
        },
    )


def _excess(declaration, preview):
    if preview is None or declaration.status != Declaration.Status.SUBMITTED:
        return None
    return excess_of(declaration, result_to_json(preview))


def declaration_process(request, pk, return_form=None, decision_form=None, status=200):
    declaration = visible_declaration(request, pk)
    _staff(request)
    preview = None
    try:
        _case, preview = compute_from_data(services.funding_case(declaration))
    except CaseError as exc:
        preview = None
        messages.warning(
            request, "Calcul impossible : " + "; ".join(e["message"] for e in exc.errors)
        )
    justifications = list(declaration.justifications.select_related("decided_by"))
    rows = []
    for j in justifications:
        bound = decision_form if decision_form and decision_form.justification.pk == j.pk else None
        rows.append((j, bound or JustificationDecisionForm(justification=j), effect_text(j)))
    excess = _excess(declaration, preview)
    return render(
        request,
        "declarations/process.html",
        {
            "declaration": declaration,
            "project": declaration.project,
            "findings": services.findings(declaration),
            "justifications": rows,
            "effects": rejections.effect_summary(declaration),
            "excess": excess,
            "excess_tolerance": tolerance_text(excess) if excess else "",
            "lines": [(line_label(line), line.amount) for line in declaration.lines.all()],
            "documents": declaration.documents.all(),
            "preview": preview,
            "can_process": request.user.has_perm("declarations.process", declaration)
            and declaration.status == Declaration.Status.SUBMITTED,
            "return_form": return_form or ReturnForm(),
            "payments": declaration.project.payments.all(),
            "bonus_summary": bonus_costs.summary(declaration),
            # The project's controls, whose consequence the GC may have to carry out (issue 17).
            "controls": declaration.project.controls.all(),
        },
        status=status,
    )


def _processor_action(request, call, success):
    try:
        call()
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@require_POST
def justification_decide(request, pk, justification_pk):
    declaration = visible_declaration(request, pk)
    justification = get_object_or_404(declaration.justifications, pk=justification_pk)
    if not request.user.has_perm("declarations.process", declaration):
        raise PermissionDenied
    form = JustificationDecisionForm(request.POST, justification=justification)
    if not form.is_valid():
        return declaration_process(request, pk, decision_form=form)
    data = form.cleaned_data
    accepted = data["decision"] == "accept"
    try:
        services.decide_justification(
            justification.pk,
            by=request.user,
            accepted=accepted,
            note=data["note"],
            effect=data["effect"],
            collectives=data["collectives"],
            value=data["value"],
            bonus=data["bonus"],
        )
    except EffectError as exc:
        form.add_error(exc.field, exc.message)
        return declaration_process(request, pk, decision_form=form)
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Justification acceptée." if accepted else "Justification rejetée."
        )
    return redirect("declarations:process", pk=declaration.pk)


@require_POST
def declaration_return(request, pk):
    declaration = visible_declaration(request, pk)
    if not request.user.has_perm("declarations.process", declaration):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return declaration_process(request, pk, return_form=form)
    _processor_action(
        request,
        lambda: services.return_for_correction(
            declaration.pk, by=request.user, message=form.cleaned_data["message"]
        ),
        "Déclaration renvoyée au porteur pour correction.",
    )
    return redirect("declarations:process", pk=declaration.pk)


def _excess_unconfirmed(request, declaration):
    """An excess above the forecast not ticked: refused at once with its message, no
    confirmation page first (the GC goes back to the figures)."""
    if request.POST.get("confirm_excess") == "on":
        return False
    try:
        _case, preview = compute_from_data(services.funding_case(declaration))
    except CaseError:
        return False
    excess = _excess(declaration, preview)
    return bool(excess and excess.needs_confirmation)


def _validation_summary(declaration):
    lines = []
    try:
        _case, preview = compute_from_data(services.funding_case(declaration))
    except CaseError:
        preview = None
    result = (preview.actual or preview.forecast) if preview else None
    if result is not None:
        lines.append(f"Le droit est calculé et figé : {format_euros(result.right)}.")
    else:
        lines.append("Le droit est calculé par le moteur de financement et figé.")
    if declaration.is_actual:
        lines.append(
            "Le solde (droit moins acomptes versés) est ouvert au paiement, ou l'indu à "
            "récupérer s'il est négatif."
        )
    else:
        lines.append("Les deux acomptes (ensemble au plus 70 % du droit) sont ouverts au paiement.")
    effects = rejections.effect_summary(declaration)
    if effects:
        lines.append(
            "Le droit est calculé sur les chiffres retenus après vos rejets : "
            + " ".join(effects["changes"] or [text for _j, text in effects["rejected"]])
        )
    excess = _excess(declaration, preview)
    if excess:
        lines.append(excess.summary)
        lines.extend(f"Cause : {cause}" for cause in excess.causes)
    lines.append("Le porteur est prévenu ; la déclaration ne peut plus être modifiée.")
    return lines


@require_POST
def declaration_validate(request, pk):
    declaration = visible_declaration(request, pk)
    if not request.user.has_perm("declarations.process", declaration):
        raise PermissionDenied
    if not confirmation.confirmed(request) and not _excess_unconfirmed(request, declaration):
        return confirmation.ask(
            request,
            title=f"Valider la {declaration.get_kind_display().lower()} de « "
            f"{declaration.project.title} » ?",
            summary=_validation_summary(declaration),
            action=reverse("declarations:validate", args=[declaration.pk]),
            cancel=reverse("declarations:process", args=[declaration.pk]),
            button="Confirmer la validation",
        )
    confirm_excess = request.POST.get("confirm_excess") == "on"
    _processor_action(
        request,
        lambda: services.validate(declaration.pk, by=request.user, confirm_excess=confirm_excess),
        "Déclaration validée : le droit est calculé et figé.",
    )
    return redirect("declarations:process", pk=declaration.pk)
