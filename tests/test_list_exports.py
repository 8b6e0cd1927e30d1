"""Staff export the working lists (projects, collectives, declarations) with the filters they
had on the page, as CSV or XLSX, through a background job; the file holds what the list showed,
never another Caf's rows, and no typed text becomes a formula."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from committee.models import ExportJob
from declarations.models import Declaration
from projects.models import ProjectStatus

from .factories import CollectiveFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _download(client, response):
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    status = client.get(response["Location"])
    assert status.status_code == 200
    download = client.get(reverse("declarations:list_export_download", args=[job.pk]))
    return b"".join(download.streaming_content), job


def _csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_projects_and_collectives_export_with_the_lists_filters(client, loire, vosges):
    submitted = ProjectFactory(
        carrier=loire.carrier,
        campaign=loire.project.campaign,
        status=ProjectStatus.SUBMITTED,
        title='=HYPERLINK("x")',
    )
    CollectiveFactory(project=submitted, name="Les petits", planned_children=9)
    CollectiveFactory(project=loire.project, name="Brouillon")
    ProjectFactory(carrier=vosges.carrier, campaign=vosges.project.campaign, status="submitted")
    client.force_login(loire.advisor)
    response = client.post(
        reverse("declarations:list_export", args=["projets", "xlsx"]),
        {"status": "submitted", "page": "3"},
    )
    content, job = _download(client, response)
    assert job.filters == {"status": "submitted"}
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Référence", "Campagne", "Porteur")
    assert [r[5] for r in rows[1:]] == ['\'=HYPERLINK("x")']
    assert rows[1][8] == 1 and rows[1][9] == 9

    response = client.post(
        reverse("declarations:list_export", args=["collectifs", "csv"]), {"status": "submitted"}
    )
    content, _ = _download(client, response)
    rows = _csv(content)
    assert rows[0][4] == "Collectif"
    assert [r[4] for r in rows[1:]] == ["Les petits"]


def test_declarations_export_and_who_may(client, loire):
    Declaration.objects.create(
        project=loire.project,
        kind="forecast",
        collectives=2,
        weeks=30,
        status="submitted",
        children=[10, 8],
    )
    Declaration.objects.create(
        project=loire.other_project,
        kind="actual",
        collectives=1,
        weeks=28,
        status="submitted",
    )
    client.force_login(loire.processor)
    response = client.post(
        reverse("declarations:list_export", args=["declarations", "csv"]), {"kind": "forecast"}
    )
    content, _ = _download(client, response)
    rows = _csv(content)
    assert [(r[0], r[3], r[7]) for r in rows[1:]] == [
        (loire.project.title, "Déclaration prévisionnelle", "18")
    ]
    client.force_login(loire.carrier_user)
    assert (
        client.post(reverse("declarations:list_export", args=["projets", "csv"])).status_code == 403
    )
    client.force_login(loire.processor)
    assert (
        client.post(reverse("declarations:list_export", args=["pigeons", "csv"])).status_code == 404
    )
    # The list pages offer the export with their filters.
    page = client.get(reverse("declarations:queue"), {"kind": "actual"}).content.decode()
    assert 'name="kind" value="actual"' in page and "Déclarations (XLSX)" in page
