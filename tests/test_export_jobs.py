"""Payment and audit exports run as background jobs (issue 13): the file holds the rows the list
showed with its filters, the progress reaches 100, the status page polls and reads in French,
another Caf's job is a 404, and a broker outage leaves the job pending for the beat."""

import csv
import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from committee import tasks
from committee.models import ExportJob
from declarations.models import Declaration, Payment
from funding.services import store_computation
from projects.models import ProjectEvent

pytestmark = pytest.mark.django_db

CASE = {
    "bareme_year": 2026,
    "carrier_kind": "association",
    "collectives_agreed": 1,
    "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
}


def make_payment(world, kind, status, amount):
    project = world.project
    declaration = Declaration.objects.filter(project=project).first()
    if declaration is None:
        declaration = Declaration.objects.create(
            project=project, kind="forecast", collectives=1, weeks=30, status="validated"
        )
    return Payment.objects.create(
        project=project,
        declaration=declaration,
        kind=kind,
        amount=Decimal(amount),
        status=status,
        computation=store_computation(data=CASE, kind="forecast", project=project),
    )


def downloaded(client, name, job):
    response = client.get(reverse(name, args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def payments(loire, vosges):
    return {
        "to_pay": make_payment(loire, "advance_1", "to_pay", "984.16"),
        "paid": make_payment(loire, "advance_2", "paid", "738.12"),
        "far": make_payment(vosges, "advance_1", "to_pay", "500.00"),
    }


def expected_row(payment):
    """The row the synchronous export wrote before it became a job."""
    project = payment.project
    return [
        f"CLAS-{payment.pk:06d}",
        project.campaign.caf.name,
        project.carrier.legal_name,
        project.carrier.siret,
        project.title,
        project.campaign.school_year,
        payment.get_kind_display(),
        f"{payment.amount:.2f}".replace(".", ","),
        payment.get_status_display(),
        timezone.localtime(payment.created_at).strftime("%d/%m/%Y"),
        "",  # the reason column holds an amount to recover's motive (issue 17)
    ]


def test_payment_csv_job_holds_the_filtered_list(client, loire, payments):
    client.force_login(loire.processor)
    with mock.patch.object(tasks, "_progress", wraps=tasks._progress) as progress:
        response = client.post(
            reverse("declarations:payment_export", args=["csv"]),
            {"status": "to_pay", "kind": "nonsense"},
        )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("declarations:payment_export_status", args=[job.pk])
    assert job.kind == "payments_csv" and job.caf == loire.caf and job.session is None
    assert job.filters == {"status": "to_pay"}  # an unknown value is no filter, as on the list
    assert job.status == "done" and job.progress == 100 and job.finished_at
    assert progress.call_args_list[0].args[1] == 10
    rows = csv_rows(downloaded(client, "declarations:payment_export_download", job))
    assert rows == [
        [
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
        ],
        expected_row(payments["to_pay"]),
    ]


def test_payment_xlsx_job_without_filters_holds_the_whole_caf(client, loire, payments):
    client.force_login(loire.caf_admin)
    client.post(reverse("declarations:payment_export", args=["xlsx"]))
    job = ExportJob.objects.get()
    assert job.filters == {} and job.progress == 100
    content = downloaded(client, "declarations:payment_export_download", job)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted(row[0] for row in rows) == sorted(
        f"CLAS-{payments[key].pk:06d}" for key in ("to_pay", "paid")
    )
    amounts = {row[0]: row[7] for row in rows}
    assert amounts[f"CLAS-{payments['paid'].pk:06d}"] == pytest.approx(738.12)


def test_the_payment_list_posts_its_filters_to_the_export(client, loire, payments):
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:payments"), {"kind": "advance_2"}).content.decode()
    form = page[page.index(reverse("declarations:payment_export", args=["csv"])) :]
    form = form[: form.index("</form>")]
    assert 'name="kind" value="advance_2"' in form and "csrfmiddlewaretoken" in form
    assert reverse("declarations:payment_export", args=["xlsx"]) in form
    assert client.get(reverse("declarations:payment_export", args=["csv"])).status_code == 405
    assert not ExportJob.objects.exists()


def test_audit_job_holds_the_filtered_journal(client, loire, vosges):
    kept = ProjectEvent.objects.create(
        project=loire.project, actor=loire.advisor, action="request_changes", note="Précisez"
    )
    ProjectEvent.objects.create(project=loire.project, actor=loire.advisor, action="propose")
    ProjectEvent.objects.create(project=loire.project, actor=loire.processor, action="submit")
    ProjectEvent.objects.create(
        project=vosges.project, actor=vosges.advisor, action="request_changes"
    )
    client.force_login(loire.caf_admin)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("audit_export"),
        {"actor": loire.advisor.email, "action": "request_changes", "from": today, "to": "x"},
    )
    job = ExportJob.objects.get()
    assert job.kind == "audit_csv" and job.status == "done" and job.progress == 100
    assert job.filters == {"actor": loire.advisor.email, "action": "request_changes", "from": today}
    rows = csv_rows(downloaded(client, "audit_export_download", job))
    assert rows[0] == [
        "Date",
        "Personne",
        "Action",
        "Projet",
        "Porteur",
        "Avant",
        "Après",
        "Commentaire",
    ]
    assert rows[1:] == [
        [
            timezone.localtime(kept.created_at).strftime("%d/%m/%Y %H:%M"),
            loire.advisor.email,
            kept.get_action_label(),
            loire.project.title,
            loire.carrier.legal_name,
            kept.from_label,
            kept.to_label,
            "Précisez",
        ]
    ]


def test_hostile_filters_in_the_export_form_give_no_500(client, loire):
    client.force_login(loire.caf_admin)
    hostile = {"actor": "a\x00b", "action": "' OR 1=1 --", "project": "\x00", "from": "2026-13-45"}
    assert client.post(reverse("audit_export"), hostile).status_code == 302
    client.force_login(loire.processor)
    hostile = {"status": "\x00", "kind": ["-5", "abc"]}
    assert (
        client.post(reverse("declarations:payment_export", args=["xlsx"]), hostile).status_code
        == 302
    )
    assert client.post(reverse("declarations:payment_export", args=["pdf"])).status_code == 404
    assert [(job.filters, job.status) for job in ExportJob.objects.order_by("pk")] == [
        ({"actor": "ab"}, "done"),
        ({}, "done"),
    ]


def test_another_cafs_job_is_a_404(client, loire, vosges, payments):
    client.force_login(loire.processor)
    client.post(reverse("declarations:payment_export", args=["csv"]))
    payments_job = ExportJob.objects.get()
    client.force_login(loire.caf_admin)
    client.post(reverse("audit_export"))
    audit_job = ExportJob.objects.get(kind="audit_csv")
    urls = [
        reverse(name, args=[payments_job.pk])
        for name in ("declarations:payment_export_status", "declarations:payment_export_download")
    ] + [
        reverse(name, args=[audit_job.pk])
        for name in ("audit_export_status", "audit_export_download")
    ]
    for user in (vosges.caf_admin, vosges.processor, loire.carrier_user):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 4, user
    # Same Caf, but the journal is the administrator's: a 403, the payments are every agent's.
    client.force_login(loire.advisor)
    assert [client.get(url).status_code for url in urls] == [200, 200, 403, 403]
    # A payment job is not reachable through the audit URLs, nor the other way round.
    client.force_login(loire.caf_admin)
    assert client.get(reverse("audit_export_status", args=[payments_job.pk])).status_code == 404
    wrong = reverse("declarations:payment_export_status", args=[audit_job.pk])
    assert client.get(wrong).status_code == 404


def test_status_page_reads_in_french(client, loire):
    job = ExportJob.objects.create(
        caf=loire.caf, kind="payments_xlsx", filters={"status": "paid"}, created_by=loire.processor
    )
    url = reverse("declarations:payment_export_status", args=[job.pk])
    client.force_login(loire.processor)
    page = client.get(url).content.decode()
    assert '<h1 class="h2">Paiements (XLSX)</h1>' in page
    assert "Statut : Payé · Nature : toutes" in page
    assert f"par {loire.processor.get_full_name()}" in page
    assert "En attente de traitement" in page and "0&nbsp;%" in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 1s"' in page
    assert f'href="{reverse("declarations:payments")}?status=paid">Retour aux paiements' in page

    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Préparation en cours" in fragment
    assert 'aria-valuenow="40"' in fragment and "40&nbsp;%" in fragment

    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    download = reverse("declarations:payment_export_download", args=[job.pk])
    assert f'L\'export est prêt. <a href="{download}">Télécharger le fichier</a>' in fragment
    assert "hx-get" not in fragment  # no more polling

    ExportJob.objects.filter(pk=job.pk).update(status="failed", error="disque plein")
    fragment = client.get(url).content.decode()
    assert "L'export a échoué : disque plein. Relancez-le depuis" in fragment
    assert ">la page des paiements</a>." in fragment

    audit_job = ExportJob.objects.create(
        caf=loire.caf,
        kind="audit_csv",
        filters={"action": "propose", "from": "2026-09-01"},
        created_by=loire.caf_admin,
    )
    client.force_login(loire.caf_admin)
    page = client.get(reverse("audit_export_status", args=[audit_job.pk])).content.decode()
    assert "Journal des actions (CSV)" in page
    assert "Filtres : action « " in page and "du 01/09/2026" in page
    assert "Retour au journal des actions" in page


@pytest.mark.parametrize(
    "url_name, args, user",
    [("declarations:payment_export", ["csv"], "processor"), ("audit_export", [], "caf_admin")],
)
def test_broker_down_the_job_waits_for_the_beat(client, loire, payments, url_name, args, user):
    client.force_login(getattr(loire, user))
    with mock.patch("committee.jobs.run_export.delay", side_effect=ConnectionError("redis down")):
        response = client.post(reverse(url_name, args=args), follow=True)
    assert "sera relancé automatiquement" in response.content.decode()
    job = ExportJob.objects.get()
    assert job.status == "pending" and job.progress == 0
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    tasks.requeue_pending_exports()
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.file
