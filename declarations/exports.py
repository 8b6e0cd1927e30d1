"""The payments export for the accounting system (CSV and XLSX), built by a background job from
the filters the person had on the payments list, so the file holds what the list showed."""

import io

from django.utils import timezone
from openpyxl import Workbook

from clasportal.exports import csv_bytes, register, safe_row
from clasportal.rules import can
from committee.models import ExportJob

from .models import Payment, Recovery

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
    "Motif",
]
FILTERS = ("status", "kind")


def list_filters(params):
    """The payments list's filters that hold a known value, as stored on an export job."""
    choices = {"status": Payment.Status.values, "kind": Payment.Kind.values}
    return {key: params[key] for key in FILTERS if params.get(key) in choices[key]}


def filtered_payments(user, filters):
    payments = (
        Payment.objects.visible_to(user)
        .select_related("project__carrier", "project__campaign__caf")
        .order_by("-created_at", "kind", "pk")
    )
    return payments.filter(**list_filters(filters))


def rows(payments, progress=None):
    total = max(payments.count(), 1) if progress else 0
    for index, p in enumerate(payments.iterator(chunk_size=500), start=1):
        yield [
            f"CLAS-{p.pk:06d}",
            p.project.campaign.caf.name,
            # The payee recorded when the right was validated (older rows: the carrier's).
            p.payee_name or p.project.carrier.legal_name,
            p.payee_siret or p.project.carrier.siret,
            p.project.title,
            p.project.campaign.school_year,
            p.get_kind_display(),
            p.amount,
            p.get_status_display(),
            timezone.localtime(p.created_at).strftime("%d/%m/%Y"),
            "",
        ]
        if progress and index % 200 == 0:
            progress(10 + int(80 * index / total))


def filtered_recoveries(user, filters):
    """Amounts to recover (issue 17) go with the payments unless the list is filtered on a
    payment status or on another kind than « Indu à récupérer »."""
    filters = list_filters(filters)
    if filters.get("status") or filters.get("kind", Payment.Kind.RECOVERY) != Payment.Kind.RECOVERY:
        return Recovery.objects.none()
    return (
        Recovery.objects.visible_to(user)
        .select_related("project__carrier", "project__campaign__caf")
        .order_by("-notified_at", "pk")
    )


def recovery_rows(recoveries):
    for r in recoveries.iterator(chunk_size=500):
        yield [
            f"INDU-{r.pk:06d}",
            r.project.campaign.caf.name,
            r.project.carrier.legal_name,
            r.project.carrier.siret,
            r.project.title,
            r.project.campaign.school_year,
            Payment.Kind.RECOVERY.label,
            r.amount,
            r.get_status_display(),
            timezone.localtime(r.notified_at).strftime("%d/%m/%Y"),
            f"{r.get_origin_display()} : {r.reason}",
        ]


def _job_payments(job):
    # The file holds what its author may see now: a lost permission exports nothing.
    user = job.created_by
    if user is None or not can(user, "declarations.view_payments"):
        return Payment.objects.none()
    return filtered_payments(user, job.filters)


def _job_rows(job, progress):
    yield from rows(_job_payments(job), progress)
    user = job.created_by
    if user is not None and can(user, "declarations.view_payments"):
        yield from recovery_rows(filtered_recoveries(user, job.filters))


@register(ExportJob.Kind.PAYMENTS_CSV)
def payments_csv(job, progress):
    progress(10)
    content = csv_bytes([HEADERS, *_job_rows(job, progress)])
    return content, "paiements-clas.csv"


@register(ExportJob.Kind.PAYMENTS_XLSX)
def payments_xlsx(job, progress):
    progress(10)
    book = Workbook()
    sheet = book.active
    sheet.title = "Paiements"
    sheet.append(safe_row(HEADERS))
    for row in _job_rows(job, progress):
        sheet.append(safe_row(row))
    for cell in sheet["H"][1:]:
        cell.number_format = '#,##0.00 "€"'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), "paiements-clas.xlsx"
