"""Issue 14 item 4: no text someone typed (a carrier's name, a project's title, a reason, a
comment) becomes a live formula in an export a Caf agent opens in a spreadsheet. Each export is
read back as the spreadsheet reads it (`csv` for the CSV, openpyxl for the XLSX): no cell is a
formula or starts like one, and amounts are still numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clasportal.exports import safe_cell
from clasportal.models import Caf, Commune, Territory
from committee.models import Decision, ExportJob
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import Carrier, Project, ProjectEvent

from .declaration_helpers import approve

pytestmark = pytest.mark.django_db

# What Excel, LibreOffice or Google Sheets may read as the start of a formula.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HYPERLINK = '=HYPERLINK("http://x","clic")'


def assert_inert(cells):
    for cell in cells:
        assert not str(cell).lstrip(" ").startswith(DANGEROUS), repr(cell)


def assert_sheet_inert(sheet):
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert_inert([cell.value])


def name_like_formulas(world):
    """The world's Caf, places, carrier and project named like formulas (after any save)."""
    Caf.objects.filter(pk=world.caf.pk).update(name="-2+3")
    Territory.objects.filter(pk=world.territory.pk).update(name="\uff0b1+1")
    Commune.objects.filter(pk=world.carrier.commune_id).update(name="\uff0d2+3")
    Carrier.objects.filter(pk=world.carrier.pk).update(legal_name=HYPERLINK, siret="-2+3")
    Project.objects.filter(pk=world.project.pk).update(title="+1+1")
    return world


@pytest.fixture
def hostile(loire):
    return name_like_formulas(loire)


def download(client, job):
    urls = {
        ExportJob.Kind.PAYMENTS_CSV: "declarations:payment_export_download",
        ExportJob.Kind.PAYMENTS_XLSX: "declarations:payment_export_download",
        ExportJob.Kind.AUDIT_CSV: "audit_export_download",
    }
    response = client.get(reverse(urls[job.kind], args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def read_csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def payment(hostile):
    computation = store_computation(
        data={
            "bareme_year": 2026,
            "carrier_kind": "association",
            "collectives_agreed": 1,
            "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
        },
        kind="forecast",
        project=hostile.project,
    )
    declaration = Declaration.objects.create(
        project=hostile.project, kind="forecast", collectives=1, weeks=30, status="validated"
    )
    return Payment.objects.create(
        project=hostile.project,
        declaration=declaration,
        kind="advance_1",
        amount=Decimal("984.16"),
        status="to_pay",
        computation=computation,
    )


def test_safe_cell_neutralises_every_formula_start_and_keeps_numbers():
    for start in DANGEROUS:
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("  =1+1") == "'  =1+1"
    assert safe_cell("Association Les Lucioles") == "Association Les Lucioles"
    assert safe_cell("") == ""
    for value in (Decimal("-12.50"), -3, 2.5, datetime.date(2026, 10, 14), None):
        assert safe_cell(value) == value and type(safe_cell(value)) is type(value)


def test_payment_csv_has_no_formula(client, payment, hostile):
    client.force_login(hostile.processor)
    client.post(reverse("declarations:payment_export", args=["csv"]))
    rows = read_csv(download(client, ExportJob.objects.get(kind="payments_csv")))
    data = [row for row in rows[1:] if row[0] == f"CLAS-{payment.pk:06d}"]
    assert len(data) == 1
    for row in rows:
        assert_inert(row)
    row = data[0]
    assert row[2] == "'" + HYPERLINK and row[4] == "'+1+1" and row[3] == "'-2+3"
    assert row[1] == "'-2+3"
    assert row[7] == "984,16"  # the amount stays a number for a French spreadsheet


def test_payment_xlsx_has_no_formula(client, payment, hostile):
    client.force_login(hostile.processor)
    client.post(reverse("declarations:payment_export", args=["xlsx"]))
    content = download(client, ExportJob.objects.get(kind="payments_xlsx"))
    sheet = load_workbook(io.BytesIO(content)).active
    assert_sheet_inert(sheet)
    row = [cell.value for cell in sheet[2]]
    assert row[2] == "'" + HYPERLINK and row[4] == "'+1+1"
    assert isinstance(row[7], (int, float)) and Decimal(str(row[7])) == Decimal("984.16")
    assert sheet["H2"].data_type == "n"


def test_audit_csv_has_no_formula(client, hostile):
    hostile.advisor.__class__.objects.filter(pk=hostile.advisor.pk).update(email="-2+3@x.fr")
    ProjectEvent.objects.create(
        project=hostile.project, actor=hostile.advisor, action="request_changes", note="@SUM(A1)"
    )
    ProjectEvent.objects.create(
        project=hostile.project, actor=hostile.advisor, action="propose", note="\t=1+1"
    )
    client.force_login(hostile.caf_admin)
    client.post(reverse("audit_export"))
    rows = read_csv(download(client, ExportJob.objects.get(kind="audit_csv")))
    assert len(rows) == 3
    for row in rows:
        assert_inert(row)
    notes = {row[7] for row in rows[1:]}
    assert notes == {"'@SUM(A1)", "'\t=1+1"}
    assert {row[1] for row in rows[1:]} == {"'-2+3@x.fr"}
    assert {(row[3], row[4]) for row in rows[1:]} == {("'+1+1", "'" + HYPERLINK)}


def test_agrement_xlsx_has_no_formula(client, loire):
    project = approve(loire)
    hostile = name_like_formulas(loire)
    Decision.objects.filter(item__project=project).update(reason="@SUM(A1)")
    session = project.agenda_items.get().session
    client.force_login(hostile.caf_admin)
    client.post(reverse("committee:export_start", args=[session.pk]), {"kind": "agrement_xlsx"})
    job = ExportJob.objects.get(kind="agrement_xlsx")
    response = client.get(reverse("committee:export_download", args=[session.pk, job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert_sheet_inert(sheet)
    data = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=4)][0]
    assert data[:4] == ["'\uff0b1+1", "'\uff0d2+3", "'" + HYPERLINK, "'+1+1"]
    assert data[9] == "'@SUM(A1)"
    assert isinstance(data[6], (int, float)) and data[6] > 0  # the PS stays a number
