"""Heavy exports (issue 21): the payments export runs in the background and says how far it is in
rows (« 4 000 lignes sur 20 000 »), with a number of queries that does not grow with the rows
(one read of the payments in chunks, a bounded number of progress writes)."""

import copy
import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clasportal.exports import counted
from committee import tasks
from committee.models import ExportJob
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import Project

pytestmark = pytest.mark.django_db

CASE = {
    "bareme_year": 2026,
    "carrier_kind": "association",
    "collectives_agreed": 1,
    "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
}
KINDS = list(Payment.Kind.values)


def seed_payments(world, count):
    """`count` payments of the world's Caf, in bulk: one project per four payments (one per kind)."""
    project = world.project
    declaration = Declaration.objects.create(
        project=project, kind="forecast", collectives=1, weeks=30, status="validated"
    )
    computation = store_computation(data=CASE, kind="forecast", project=project)
    clones = []
    for n in range(-(-count // len(KINDS))):
        clone = copy.copy(project)
        clone.pk = None
        clone._state.adding = True
        clone.title = f"Projet d'essai {n:05d}"
        clones.append(clone)
    projects = Project.objects.bulk_create(clones)
    Payment.objects.bulk_create(
        Payment(
            project=projects[i // len(KINDS)],
            declaration=declaration,
            kind=KINDS[i % len(KINDS)],
            amount=Decimal("100.00") + i,
            status="to_pay",
            computation=computation,
        )
        for i in range(count)
    )


def new_job(world, kind):
    return ExportJob.objects.create(caf=world.caf, kind=kind, created_by=world.processor)


def queries_of_export(world, count, kind="payments_csv"):
    seed_payments(world, count)
    job = new_job(world, kind)
    with CaptureQueriesContext(connection) as queries:
        tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == job.rows_total == count
    return len(queries)


@pytest.mark.parametrize("kind", ["payments_csv", "payments_xlsx"])
def test_export_queries_do_not_grow_with_the_rows(loire, vosges, kind, django_assert_num_queries):
    small = queries_of_export(loire, 30, kind)
    # The same export over ten times the rows (and another Caf's, which it must not read).
    seed_payments(vosges, 300)
    job = new_job(vosges, kind)
    with django_assert_num_queries(small):
        tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.rows_done == job.rows_total == 300


def test_progress_is_saved_in_rows_done_out_of_total(client, loire):
    seed_payments(loire, 90)
    saved = []
    real = tasks._progress

    def spy(job, value, done=None, total=None):
        real(job, value, done, total)
        job_now = ExportJob.objects.get(pk=job.pk)
        saved.append((job_now.progress, job_now.rows_done, job_now.rows_total, job_now.status))

    client.force_login(loire.processor)
    tasks._progress = spy
    try:
        client.post(reverse("declarations:payment_export", args=["csv"]))
    finally:
        tasks._progress = real
    row_steps = [(p, done) for p, done, total, _ in saved if total]
    assert {total for _, _, total, _ in saved if total} == {90}
    assert row_steps[0] == (10, 0) and row_steps[-1] == (90, 90)
    dones = [done for _, done in row_steps]
    assert dones == sorted(dones) and len(dones) <= 21  # 0, then at most one save per 5 %
    assert {status for *_, status in saved} == {"running"}
    job = ExportJob.objects.get()
    assert job.status == "done" and job.progress == 100
    content = b"".join(
        client.get(reverse("declarations:payment_export_download", args=[job.pk])).streaming_content
    )
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 91 and lines[1][7] and lines[0][7] == "Montant"


def test_the_status_page_shows_the_rows_done(client, loire):
    job = new_job(loire, "payments_csv")
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", progress=26, rows_done=4000, rows_total=20000
    )
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:payment_export_status", args=[job.pk]))
    text = page.content.decode().replace("\u202f", " ")
    assert "4 000 lignes sur 20 000" in text and 'data-progress="26"' in text
    # A job that counts no rows (the agrément list) shows only its percent.
    ExportJob.objects.filter(pk=job.pk).update(rows_done=0, rows_total=0)
    page = client.get(reverse("declarations:payment_export_status", args=[job.pk]))
    assert "lignes sur" not in page.content.decode()


def test_xlsx_of_payments_keeps_amounts_as_euros(client, loire):
    seed_payments(loire, 9)
    job = new_job(loire, "payments_xlsx")
    tasks.run_export(job.pk)
    job.refresh_from_db()
    sheet = load_workbook(io.BytesIO(job.file.read())).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 9
    amounts = sorted(row[7].value for row in rows)
    assert amounts[0] == pytest.approx(100.0) and amounts[-1] == pytest.approx(108.0)
    assert {row[7].number_format for row in rows} == {'#,##0.00 "€"'}


def test_counted_saves_a_bounded_number_of_times():
    for total in (0, 1, 7, 20, 21, 999, 20000):
        calls = []
        out = list(counted(range(total), total, lambda *a, calls=calls: calls.append(a)))
        assert out == list(range(total))
        assert len(calls) == min(total, 20)
        if total:
            assert calls[-1] == (90, total, total)
            assert all(10 <= p <= 90 for p, _, _ in calls)
    # Fewer rows than counted (deleted meanwhile): the last save says what was written.
    calls = []
    list(counted(range(5), 8, lambda *a: calls.append(a)))
    assert calls[-1] == (90, 5, 5)


@pytest.mark.parametrize("kind", ["projects_csv", "projects_xlsx"])
def test_list_exports_count_their_rows_too(loire, vosges, kind, django_assert_num_queries):
    seed_payments(loire, 4 * 24)  # 24 more projects: over the 20 progress steps
    job = new_job(loire, kind)
    with CaptureQueriesContext(connection) as small:
        tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == job.rows_total > 0
    seed_payments(vosges, 4 * 240)
    job = new_job(vosges, kind)
    with django_assert_num_queries(len(small)):
        tasks.run_export(job.pk)
    job.refresh_from_db()
    assert job.rows_done == job.rows_total
