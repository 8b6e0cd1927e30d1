"""The status page of a long export in the browser (issue 21): the bar and the rows done out of
the total while it runs, polled until the file is ready. Looked at (screenshot), passes axe-core."""

import pytest
from django.test import Client
from django.urls import reverse

from committee.models import ExportJob

pytestmark = pytest.mark.e2e


def session_cookie(live_server, user):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.mark.django_db(transaction=True)
def test_a_running_payments_export_shows_its_rows(
    national_bareme, loire, live_server, context, shots
):
    job = ExportJob.objects.create(
        caf=loire.caf,
        kind="payments_csv",
        created_by=loire.processor,
        status="running",
        progress=26,
        rows_done=4000,
        rows_total=20000,
    )
    context.add_cookies([session_cookie(live_server, loire.processor)])
    page = context.new_page()
    page.goto(live_server.url + reverse("declarations:payment_export_status", args=[job.pk]))
    status = page.locator("#export-status")
    assert "4 000 lignes sur 20 000" in status.inner_text().replace("\u202f", " ")
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "26"
    shots(page, "export-paiements-en-cours")
    # The page polls: once the job is done it offers the file.
    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100, rows_done=20000)
    page.get_by_text("L'export est prêt").wait_for(timeout=5000)
