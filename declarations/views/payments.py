"""Payments of the Caf: list, status changes (traced), export for the accounting system (a
background job with its progress page)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clasportal.rules import DECIDING_ACTIONS, project_still_approved
from clasportal.scoping import get_visible_or_404
from committee import jobs
from committee.models import ExportJob
from projects.models import ProjectEvent
from projects.workflow import record

from .. import exports, services
from ..models import Payment, Recovery

LIST_COLUMNS = (
    "kind",
    "amount",
    "status",
    "created_at",
    "project",
    "project__title",
    "project__carrier",
    "project__carrier__legal_name",
)
RECOVERY_COLUMNS = (
    "amount",
    "origin",
    "reason",
    "status",
    "settle_note",
    "notified_at",
    "project",
    "project__title",
    "project__carrier",
    "project__carrier__legal_name",
)


def _payments(request):
    if not request.user.has_perm("declarations.view_payments"):
        raise PermissionDenied
    return exports.filtered_payments(request.user, request.GET)


def payment_list(request):
    # Separation of duties, shown on each line: who took part in a project's decisions sees
    # that another GC moves its payments (the rule itself is declarations.advance_payment).
    # Only the columns the list shows: 50 rows would otherwise build 50 projects of ≈ 50
    # columns (JSON decoded), their campaigns and Caf (issue 21).
    payments = (
        _payments(request)
        .select_related(None)
        .select_related("project__carrier")
        .only(*LIST_COLUMNS)
    )
    payments = payments.annotate(
        decided_by_me=Exists(
            ProjectEvent.objects.filter(
                project=OuterRef("project"), actor=request.user, action__in=DECIDING_ACTIONS
            )
        )
    )
    page = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/payments.html",
        {
            "page": page,
            "statuses": Payment.Status.choices,
            "kinds": Payment.Kind.choices,
            "can_advance": request.user.has_perm("declarations.advance_payment", request.user.caf),
            "params": request.GET,
            "filters": exports.list_filters(request.GET),
            # Issue 17: amounts to recover, with their reason, settled by the GC.
            "recoveries": Recovery.objects.visible_to(request.user)
            .select_related("project__carrier")
            .only(*RECOVERY_COLUMNS)
            .order_by("status", "-notified_at", "pk")[:50],
            "can_settle": request.user.has_perm("declarations.settle_recovery", request.user.caf),
        },
    )


@require_POST
def payment_export(request, fmt):
    """Queue the export of the payments as the list shows them (its filters come in the form)."""
    if not request.user.has_perm("declarations.view_payments"):
        raise PermissionDenied
    kind = {"csv": ExportJob.Kind.PAYMENTS_CSV, "xlsx": ExportJob.Kind.PAYMENTS_XLSX}.get(fmt)
    if kind is None:
        raise Http404
    job = jobs.start(
        request, kind, caf=request.user.caf, filters=exports.list_filters(request.POST)
    )
    return redirect("declarations:payment_export_status", job_pk=job.pk)


def _job(request, job_pk):
    job = get_visible_or_404(
        ExportJob.objects.select_related("created_by"),
        request.user,
        pk=job_pk,
        kind__in=ExportJob.PAYMENT_KINDS,
    )
    if not request.user.has_perm("declarations.view_payments", job):
        raise PermissionDenied
    return job


def _list_url(filters):
    url = reverse("declarations:payments")
    return f"{url}?{urlencode(filters)}" if filters else url


def _filters_label(filters):
    status = dict(Payment.Status.choices).get(filters.get("status"), "tous")
    kind = dict(Payment.Kind.choices).get(filters.get("kind"), "toutes")
    return f"Statut : {status} · Nature : {kind}"


def payment_export_status(request, job_pk):
    job = _job(request, job_pk)
    page = jobs.JobPage(
        status_url=reverse("declarations:payment_export_status", args=[job.pk]),
        download_url=reverse("declarations:payment_export_download", args=[job.pk]),
        back_url=_list_url(job.filters),
        back_label="Retour aux paiements",
        origin="la page des paiements",
        subject=_filters_label(job.filters),
    )
    return jobs.status_page(request, job, page)


def payment_export_download(request, job_pk):
    return jobs.download(_job(request, job_pk), request)


@require_POST
def payment_advance(request, payment_pk):
    payment = get_visible_or_404(Payment, request.user, pk=payment_pk)
    if not project_still_approved(request.user, payment) and request.user.has_perm(
        "declarations.advance_payment", request.user.caf
    ):
        messages.error(
            request,
            f"Le projet est au statut « {payment.project.get_status_display()} » : aucun "
            "paiement ne peut avancer.",
        )
        return redirect("declarations:payments")
    if not request.user.has_perm("declarations.advance_payment", payment):
        if request.user.has_perm("declarations.advance_payment", request.user.caf):
            # Refused by separation of duties: the attempt is on the Caf's audit page.
            record(
                payment,
                by=request.user,
                action="duty_refused",
                note=f"{payment.get_kind_display()} : la personne a pris part aux décisions",
            )
            messages.error(
                request,
                "Vous avez instruit, décidé ou validé ce projet : un autre gestionnaire fait "
                "avancer ses paiements (séparation des tâches).",
            )
            return redirect("declarations:payments")
        raise PermissionDenied
    try:
        payment = services.advance_payment(
            payment.pk, by=request.user, reason=request.POST.get("reason", "")[:255]
        )
    except services.DeclarationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{payment.get_kind_display()} : {payment.get_status_display()}.")
    return redirect("declarations:payments")
