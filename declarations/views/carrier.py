"""The carrier's declaration page: one form, live checks, justifications next to warnings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import files
from clasportal.scoping import get_visible_or_404
from projects.budget import BudgetForm
from projects.models import Project
from projects.uploads import typed_name, validate_upload

from .. import bonus_costs, rejections, services
from ..consequences import effect_text
from ..forms import DeclarationForm, DocumentForm, RejectionAnswerForm
from ..models import Declaration, DeclarationDocument, DeclarationLine, Justification
from .common import visible_declaration

EDITABLE = (Declaration.Status.DRAFT, Declaration.Status.RETURNED)


def _forms(declaration, data=None):
    return (
        DeclarationForm(data, declaration=declaration),
        BudgetForm(data, owner=declaration, line_model=DeclarationLine, fk_name="declaration"),
    )


def _justifications(request, declaration, found):
    typed = {}
    existing = {(j.code, j.field): j.text for j in declaration.justifications.all()}
    for finding in found:
        key = (finding.code, finding.field)
        name = f"justify__{finding.code}__{finding.field}"
        typed[key] = request.POST.get(name, existing.get(key, ""))
    return typed


def _carrier_declaration(request, pk):
    declaration = visible_declaration(request, pk)
    if not request.user.has_perm("declarations.edit", declaration):
        raise PermissionDenied
    return declaration


def _page(
    request, declaration, form, budget, status=200, errors=None, answer_form=None, bonus_form=None
):
    found = services.findings(declaration)
    typed = _justifications(request, declaration, found)
    rows = [(f, f"justify__{f.code}__{f.field}", typed[(f.code, f.field)]) for f in found]
    return render(
        request,
        "declarations/edit.html",
        {
            "declaration": declaration,
            "project": declaration.project,
            "form": form,
            "budget": budget,
            "findings": rows,
            "editable": declaration.status in EDITABLE,
            "documents": declaration.documents.all(),
            "document_form": DocumentForm(),
            "submit_errors": errors or [],
            "policy": services.policy_for(declaration.project.campaign.caf),
            **_rejection_context(declaration, answer_form),
            # The extra costs of each granted bonus and their collectives (issue 17).
            "bonus_form": bonus_form or bonus_costs.BonusCostsForm(declaration=declaration),
        },
        status=status,
    )


def _rejection_context(declaration, answer_form=None):
    """The Caf's rejections, their effect on the money and the one answer allowed (issue 17)."""
    rejected = [
        (
            j,
            effect_text(j),
            (answer_form if answer_form and answer_form.justification_pk == j.pk else None)
            or RejectionAnswerForm(prefix=f"r{j.pk}"),
        )
        for j in declaration.justifications.all()
        if j.status == Justification.Status.REJECTED
    ]
    return {
        "rejected": rejected,
        "can_answer": declaration.status == Declaration.Status.SUBMITTED,
        "effects": rejections.effect_summary(declaration) if rejected else None,
    }


@require_POST
def justification_answer(request, pk, justification_pk):
    declaration = _carrier_declaration(request, pk)
    justification = get_object_or_404(declaration.justifications, pk=justification_pk)
    form = RejectionAnswerForm(request.POST, prefix=f"r{justification.pk}")
    form.justification_pk = justification.pk
    if not form.is_valid():
        return _page(request, declaration, *_forms(declaration), answer_form=form)
    try:
        services.answer_rejection(justification.pk, by=request.user, text=form.cleaned_data["text"])
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Votre réponse est transmise au gestionnaire de la Caf.")
    return redirect("declarations:edit", pk=declaration.pk)


@require_POST
def declaration_open(request, pk, kind):
    project = get_visible_or_404(Project, request.user, pk=pk)
    if not request.user.has_perm("declarations.edit", project):
        raise PermissionDenied
    if kind not in Declaration.Kind.values:
        raise PermissionDenied
    try:
        declaration = services.open_declaration(project, kind, by=request.user)
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
        return redirect("projects:detail", pk=project.pk)
    return redirect("declarations:edit", pk=declaration.pk)


@require_http_methods(["GET", "POST"])
def declaration_edit(request, pk):
    declaration = _carrier_declaration(request, pk)
    if request.method == "GET":
        return _page(request, declaration, *_forms(declaration))
    if declaration.status not in EDITABLE:
        messages.error(request, "Cette déclaration est transmise : elle n'est plus modifiable.")
        return redirect("declarations:edit", pk=declaration.pk)
    form, budget = _forms(declaration, request.POST)
    form.save_valid()
    budget.is_valid()
    budget.save()
    bonus_form = bonus_costs.BonusCostsForm(request.POST, declaration=declaration)
    bonus_form.save_valid()
    if form.errors or budget.errors or bonus_form.errors:
        messages.warning(request, "Déclaration enregistrée, sauf les champs signalés.")
        return _page(request, declaration, form, budget, bonus_form=bonus_form)
    if request.POST.get("action") != "submit":
        messages.success(request, "Déclaration enregistrée (brouillon).")
        return redirect("declarations:edit", pk=declaration.pk)
    found = services.findings(declaration)
    typed = _justifications(request, declaration, found)
    try:
        services.submit(declaration.pk, by=request.user, justifications=typed)
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
        return _page(request, declaration, *_forms(declaration), errors=exc.items)
    messages.success(request, "Déclaration transmise à la Caf.")
    return redirect("projects:detail", pk=declaration.project_id)


@require_POST
def declaration_check(request, pk):
    """htmx: save what is valid, then answer the findings panel (errors, warnings, fields)."""
    declaration = _carrier_declaration(request, pk)
    if declaration.status in EDITABLE:
        form, budget = _forms(declaration, request.POST)
        form.save_valid()
        budget.is_valid()
        budget.save()
        bonus_costs.BonusCostsForm(request.POST, declaration=declaration).save_valid()
    found = services.findings(declaration)
    typed = _justifications(request, declaration, found)
    rows = [(f, f"justify__{f.code}__{f.field}", typed[(f.code, f.field)]) for f in found]
    return render(
        request,
        "declarations/_findings.html",
        {"findings": rows, "editable": declaration.status in EDITABLE},
    )


@require_POST
def declaration_upload(request, pk):
    declaration = _carrier_declaration(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if declaration.status not in EDITABLE:
        messages.error(request, "Cette déclaration est transmise : elle n'est plus modifiable.")
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content_type, name = validate_upload(upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            try:
                files.create_with_file(
                    DeclarationDocument,
                    declaration=declaration,
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    original_name=name,
                    content_type=content_type,
                    size=upload.size,
                    uploaded_by=request.user,
                )
            except files.StorageUnavailable as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"« {name} » ajouté.")
    else:
        messages.error(request, "Choisissez un fichier et sa nature.")
    return redirect("declarations:edit", pk=declaration.pk)


def declaration_document(request, pk, document_pk):
    declaration = visible_declaration(request, pk)
    document = get_object_or_404(declaration.documents, pk=document_pk)
    return files.stream(
        request,
        document.file,
        filename=typed_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )
