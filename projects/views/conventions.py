"""Conventions: the Caf's register (and its XLSX), a convention's page and PDFs, amendments,
signature, the carrier opening its year, the advisor's decision on an adjustment, the Caf's rules."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font
from rules.contrib.views import permission_required

from clasportal import files
from clasportal.exports import safe_row
from clasportal.lists import page_number
from clasportal.scoping import get_visible_or_404

from .. import conventions, workflow
from ..convention_pdf import convention_pdf
from ..forms.conventions import (
    AmendmentForm,
    ConventionPolicyForm,
    RegisterFilterForm,
    SignatureForm,
)
from ..models import (
    Amendment,
    Campaign,
    Convention,
    ConventionPolicy,
    ConventionYear,
    Project,
    ProjectStatus,
)
from .common import visible_project


def _register(request):
    form = RegisterFilterForm(request.GET or None, user=request.user)
    queryset = (
        Convention.objects.visible_to(request.user)
        .select_related("carrier__commune__territory", "caf")
        .order_by("-start_year", "number")
    )
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["territory"]:
            queryset = queryset.filter(carrier__commune__territory=data["territory"])
        if data["kind"]:
            queryset = queryset.filter(carrier__kind=data["kind"])
        state = data["state"]
    rows = [c for c in queryset if not state or conventions.state_of(c) == state]
    for convention in rows:
        convention.state = conventions.state_of(convention)
        convention.state_label = conventions.STATES[convention.state]
    return form, rows


@require_GET
@permission_required("projects.view_conventions", raise_exception=True)
def convention_list(request):
    form, rows = _register(request)
    page = Paginator(rows, 25).get_page(page_number(request.GET.get("page")))
    adjustments = (
        Project.objects.visible_to(request.user)
        .filter(status=ProjectStatus.ADJUSTMENT)
        .select_related("carrier", "campaign")
    )
    return render(
        request,
        "projects/convention_list.html",
        {
            "form": form,
            "page": page,
            "adjustments": adjustments,
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("projects.export_conventions"),
        },
    )


@require_GET
@permission_required("projects.export_conventions", raise_exception=True)
def convention_export(request):
    _form, rows = _register(request)
    book = Workbook()
    sheet = book.active
    sheet.title = "Conventions"
    headers = [
        "Numéro",
        "Porteur",
        "Statut juridique",
        "Territoire",
        "Début",
        "Fin",
        "Durée (ans)",
        "Situation",
        "Signée le",
    ]
    sheet.append(safe_row(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in rows:
        territory = c.carrier.commune.territory
        sheet.append(
            safe_row(
                [
                    c.number,
                    c.carrier.legal_name,
                    c.carrier.get_kind_display(),
                    territory.name if territory else "",
                    c.start.strftime("%d/%m/%Y"),
                    c.end.strftime("%d/%m/%Y"),
                    c.years,
                    c.state_label,
                    c.signed_on.strftime("%d/%m/%Y") if c.signed_on else "",
                ]
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="conventions.xlsx"'
    return response


def _convention(request, pk):
    convention = get_visible_or_404(
        Convention.objects.select_related("carrier__commune", "caf"), request.user, pk=pk
    )
    if not request.user.has_perm("projects.view_convention", convention):
        raise PermissionDenied
    return convention


@require_GET
def convention_detail(request, pk, amendment_form=None, signature_form=None):
    convention = _convention(request, pk)
    lines = convention.lines.select_related("origin", "project", "campaign").order_by(
        "index", "origin"
    )
    user = request.user
    can_amend = user.has_perm("projects.amend_convention", convention)
    return render(
        request,
        "projects/convention_detail.html",
        {
            "convention": convention,
            "lines": lines,
            "amendments": convention.amendments.select_related("by"),
            "state": conventions.STATES[conventions.state_of(convention)],
            "can_amend": can_amend and convention.is_running,
            "can_sign": user.has_perm("projects.sign_convention", convention),
            "amendment_form": amendment_form or AmendmentForm(convention=convention),
            "signature_form": signature_form or SignatureForm(),
        },
    )


@require_GET
def convention_pdf_download(request, pk):
    convention = _convention(request, pk)
    response = HttpResponse(convention_pdf(convention), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convention-{convention.number}.pdf"'
    return response


@require_GET
def convention_signed_copy(request, pk):
    convention = _convention(request, pk)
    if not convention.signed_copy:
        raise Http404
    return files.stream(
        request,
        convention.signed_copy,
        filename=f"convention-{convention.number}-signee.pdf",
        content_type="application/pdf",
    )


@require_GET
def amendment_pdf_download(request, pk):
    amendment = get_visible_or_404(
        Amendment.objects.select_related("convention"), request.user, pk=pk
    )
    if not request.user.has_perm("projects.view_convention", amendment.convention):
        raise PermissionDenied
    if not amendment.pdf:
        raise Http404
    return files.stream(
        request,
        amendment.pdf,
        filename=f"avenant-{amendment.convention.number}-{amendment.number}.pdf",
        content_type="application/pdf",
    )


@require_POST
def convention_amend(request, pk):
    convention = _convention(request, pk)
    if not request.user.has_perm("projects.amend_convention", convention):
        raise PermissionDenied
    form = AmendmentForm(request.POST, convention=convention)
    if form.is_valid():
        data = form.cleaned_data
        try:
            amendment = conventions.amend(
                convention.pk,
                by=request.user,
                date=data["date"],
                reason=data["reason"],
                collectives=form.collectives(),
                years=data["years"],
                end_early=data["end_early"],
            )
        except conventions.ConventionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Avenant n° {amendment.number} enregistré.")
            return redirect(convention.get_absolute_url())
    messages.error(request, "L'avenant n'est pas enregistré : corrigez les points signalés.")
    return convention_detail.__wrapped__(request, pk, amendment_form=form)


@require_POST
def convention_sign(request, pk):
    convention = _convention(request, pk)
    if not request.user.has_perm("projects.sign_convention", convention):
        raise PermissionDenied
    form = SignatureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            conventions.record_signature(
                convention,
                by=request.user,
                signed_on=form.cleaned_data["signed_on"],
                signed_copy=form.cleaned_data["signed_copy"],
            )
        except conventions.ConventionError as exc:
            form.add_error("signed_on", exc.message)
        else:
            messages.success(request, "Signature enregistrée.")
            return redirect(convention.get_absolute_url())
    return convention_detail.__wrapped__(request, pk, signature_form=form)


@require_POST
def convention_year_start(request, line_pk):
    line = get_visible_or_404(
        ConventionYear.objects.select_related("convention"), request.user, pk=line_pk
    )
    if not request.user.has_perm("projects.enter_convention_year", line.convention):
        raise PermissionDenied
    campaign = Campaign.objects.visible_to(request.user).filter(year=line.year).first()
    try:
        if campaign is None:
            raise conventions.ConventionError(
                f"La campagne {line.school_year} n'est pas encore ouverte par votre Caf."
            )
        project = conventions.start_year(line.pk, campaign=campaign, by=request.user)
    except conventions.ConventionError as exc:
        messages.error(request, exc.message)
        return redirect(line.convention.get_absolute_url())
    messages.success(
        request,
        f"Année {line.index}/{line.convention.years} : saisissez vos données prévisionnelles.",
    )
    return redirect("projects:step", pk=project.pk, slug="collectifs")


@require_POST
def adjustment_decide(request, pk):
    project = visible_project(request, pk)
    if not request.user.has_perm("projects.decide_adjustment", project):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    try:
        conventions.decide_adjustment(
            project.pk, by=request.user, accept=accept, note=request.POST.get("note", "")
        )
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Ajustement validé." if accept else "Ajustement refusé.")
    return redirect("projects:detail", pk=project.pk)


@permission_required(
    "projects.change_convention_policy", fn=lambda request: request.user.caf, raise_exception=True
)
@require_http_methods(["GET", "POST"])
def convention_policy(request):
    policy = ConventionPolicy.of(request.user.caf)
    form = ConventionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        policy = form.save(commit=False)
        policy._change_reason = "Règles des conventions modifiées"
        policy.save()
        messages.success(request, "Règles des conventions enregistrées.")
        return redirect("projects:convention_policy")
    return render(request, "projects/convention_policy.html", {"form": form})
