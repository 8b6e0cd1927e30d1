"""The GC's queue and processing page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clasportal.models import STAFF_ROLES, Role, Territory
from funding.cases import CaseError
from funding.services import compute_from_data
from projects.models import Project

from .. import services
from ..forms import ReturnForm
from ..models import Declaration
from .common import visible_declaration


def _staff(request):
    if request.user.role not in STAFF_ROLES:
        raise PermissionDenied


def declaration_queue(request):
    _staff(request)
    caf = request.user.caf
    declarations = (
        Declaration.objects.filter(project__in=Project.objects.visible_to(request.user))
        .select_related("project__carrier__commune__territory", "project__campaign")
        .order_by("status", "submitted_at")
    )
    params = request.GET
    if params.get("status"):
        declarations = declarations.filter(status=params["status"])
    else:
        declarations = declarations.exclude(status=Declaration.Status.DRAFT)
    if params.get("kind") in Declaration.Kind.values:
        declarations = declarations.filter(kind=params["kind"])
    if params.get("territory", "").isascii() and params.get("territory", "").isdigit():
        declarations = declarations.filter(
            project__carrier__commune__territory_id=int(params["territory"])
        )
    if params.get("findings") == "any":
        declarations = declarations.exclude(findings=[])
    elif params.get("findings") in ("error", "warning"):
        declarations = declarations.filter(findings__contains=[{"severity": params["findings"]}])
    today = timezone.localdate()
    if params.get("late") == "1":
        declarations = [d for d in declarations if d.is_late(today)]
    page = Paginator(declarations, 25).get_page(params.get("page"))
    for declaration in page:
        declaration.late = declaration.is_late(today)
    return render(
        request,
        "declarations/queue.html",
        {
            "page": page,
            "statuses": Declaration.Status.choices,
            "kinds": Declaration.Kind.choices,
            "territories": Territory.objects.filter(caf=caf),
            "params": params,
        },
    )


def declaration_process(request, pk, return_form=None):
    _staff(request)
    declaration = visible_declaration(request, pk)
    preview = None
    try:
        _case, preview = compute_from_data(services.funding_case(declaration))
    except CaseError as exc:
        preview = None
        messages.warning(
            request, "Calcul impossible : " + "; ".join(e["message"] for e in exc.errors)
        )
    return render(
        request,
        "declarations/process.html",
        {
            "declaration": declaration,
            "project": declaration.project,
            "findings": services.findings(declaration),
            "justifications": declaration.justifications.select_related("decided_by"),
            "lines": declaration.lines.all(),
            "documents": declaration.documents.all(),
            "preview": preview,
            "can_process": request.user.role == Role.PROCESSOR
            and declaration.status == Declaration.Status.SUBMITTED,
            "return_form": return_form or ReturnForm(),
            "payments": declaration.project.payments.all(),
        },
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
    if request.user.role != Role.PROCESSOR:
        raise PermissionDenied
    accepted = request.POST.get("decision") == "accept"
    _processor_action(
        request,
        lambda: services.decide_justification(
            justification.pk,
            by=request.user,
            accepted=accepted,
            note=request.POST.get("note", "")[:2000],
        ),
        "Justification acceptée." if accepted else "Justification rejetée.",
    )
    return redirect("declarations:process", pk=declaration.pk)


@require_POST
def declaration_return(request, pk):
    declaration = visible_declaration(request, pk)
    if request.user.role != Role.PROCESSOR:
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


@require_POST
def declaration_validate(request, pk):
    declaration = visible_declaration(request, pk)
    if request.user.role != Role.PROCESSOR:
        raise PermissionDenied
    _processor_action(
        request,
        lambda: services.validate(declaration.pk, by=request.user),
        "Déclaration validée : le droit est calculé et figé.",
    )
    return redirect("declarations:process", pk=declaration.pk)
