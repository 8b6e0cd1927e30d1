"""The payments export for the accounting system (CSV and XLSX), built by a background job from
the filters the person had on the payments list, so the file holds what the list showed."""

import io
from itertools import chain

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from clasportal.exports import counted, csv_bytes, register, safe_row
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
AMOUNT = HEADERS.index("Montant")
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


# The columns the file needs, read as plain values: a payment row would otherwise bring its whole
# project (≈ 50 columns, JSON decoded), carrier, campaign and Caf as model instances — four fifths
# of the time of an export of 20 000 payments.
PAYMENT_VALUES = (
    "pk",
    "project__campaign__caf__name",
    "payee_name",
    "project__carrier__legal_name",
    "payee_siret",
    "project__carrier__siret",
    "project__title",
    "project__campaign__year",
    "kind",
    "amount",
    "status",
    "created_at",
)


def _school_year(year):
    return f"{year}/{year + 1}"  # Campaign.school_year


def _day(moment, tz=None):
    return timezone.localtime(moment, tz).strftime("%d/%m/%Y")


def rows(payments):
    """The export's payment rows, read in chunks of 500 from one query (no query per row)."""
    kinds, statuses = dict(Payment.Kind.choices), dict(Payment.Status.choices)
    tz = timezone.get_current_timezone()
    values = payments.values_list(*PAYMENT_VALUES)
    for (
        pk,
        caf,
        payee,
        carrier,
        payee_siret,
        siret,
        title,
        year,
        kind,
        amount,
        status,
        created,
    ) in values.iterator(chunk_size=500):
        yield [
            f"CLAS-{pk:06d}",
            caf,
            # The payee recorded when the right was validated (older rows: the carrier's).
            payee or carrier,
            payee_siret or siret,
            title,
            _school_year(year),
            kinds.get(kind, kind),
            amount,
            statuses.get(status, status),
            _day(created, tz),
            "",
        ]


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


def _job_rows(job, progress):
    """Every row of the file, with the rows done out of the total saved on the job as it goes
    (a constant number of writes: 20 000 payments cost what 40 do)."""
    # The file holds what its author may see now: a lost permission exports nothing.
    user = job.created_by
    if user is None or not can(user, "declarations.view_payments"):
        return
    payments = filtered_payments(user, job.filters)
    recoveries = filtered_recoveries(user, job.filters)
    total = payments.count() + recoveries.count()
    progress(10, 0, total)
    yield from counted(chain(rows(payments), recovery_rows(recoveries)), total, progress)


@register(ExportJob.Kind.PAYMENTS_CSV)
def payments_csv(job, progress):
    progress(10)
    content = csv_bytes(chain([HEADERS], _job_rows(job, progress)))
    return content, "paiements-clas.csv"


@register(ExportJob.Kind.PAYMENTS_XLSX)
def payments_xlsx(job, progress):
    progress(10)
    # Write-only: rows go to the file as they come instead of a sheet of 20 000 × 11 cells held
    # in memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Paiements")
    sheet.append(safe_row(HEADERS))
    for row in _job_rows(job, progress):
        cells = safe_row(row)
        amount = WriteOnlyCell(sheet, value=cells[AMOUNT])
        amount.number_format = '#,##0.00 "€"'
        cells[AMOUNT] = amount
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), "paiements-clas.xlsx"
