"""Payments of the Caf: list, status changes (traced), export for the accounting system."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from clasportal.scoping import get_visible_or_404

from .. import services
from ..models import Payment

HEADERS = [
    "Référence",
    "Caf",
    "Porteur",
    "SIRET",
    "Projet",
    "Campagne",
    "Nature",
    "Montant",
    "Statut",
    "Créé le",
]


def _payments(request):
    if not request.user.has_perm("declarations.view_payments"):
        raise PermissionDenied
    payments = (
        Payment.objects.visible_to(request.user)
        .select_related("project__carrier", "project__campaign__caf")
        .order_by("-created_at", "kind", "pk")
    )
    if request.GET.get("status") in Payment.Status.values:
        payments = payments.filter(status=request.GET["status"])
    if request.GET.get("kind") in Payment.Kind.values:
        payments = payments.filter(kind=request.GET["kind"])
    return payments


def payment_list(request):
    payments = _payments(request)
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
            "query": request.GET.urlencode(),
        },
    )


def _rows(payments):
    for p in payments:
        yield [
            f"CLAS-{p.pk:06d}",
            p.project.campaign.caf.name,
            p.project.carrier.legal_name,
            p.project.carrier.siret,
            p.project.title,
            p.project.campaign.school_year,
            p.get_kind_display(),
            p.amount,
            p.get_status_display(),
            p.created_at.strftime("%d/%m/%Y"),
        ]


def payment_export(request, fmt):
    payments = _payments(request)
    if fmt == "csv":
        buffer = io.StringIO()
        # French spreadsheets expect ';' and a decimal comma.
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(HEADERS)
        for row in _rows(payments):
            row[7] = f"{row[7]:.2f}".replace(".", ",")
            writer.writerow(row)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="paiements-clas.csv"'
        return response
    book = Workbook()
    sheet = book.active
    sheet.title = "Paiements"
    sheet.append(HEADERS)
    for row in _rows(payments):
        sheet.append(row)
    for cell in sheet["H"][1:]:
        cell.number_format = '#,##0.00 "€"'
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    response["Content-Disposition"] = 'attachment; filename="paiements-clas.xlsx"'
    return response


@require_POST
def payment_advance(request, payment_pk):
    payment = get_visible_or_404(Payment, request.user, pk=payment_pk)
    if not request.user.has_perm("declarations.advance_payment", payment):
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
