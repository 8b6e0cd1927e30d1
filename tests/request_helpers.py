"""Building blocks for request tests: a complete request, and PDF text extraction."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from projects.models import Attachment, BudgetLine, DocumentType, Intervenant

from .factories import CollectiveFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="rib.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_bytes(width=40, height=20):
    """A real, small PNG image (a Caf's logo)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (13, 92, 99)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="logo.png", **size):
    return SimpleUploadedFile(name, png_bytes(**size), content_type="image/png")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def make_complete(project, *, with_documents=True):
    """Fill every step of a request so that it can be deposited."""
    carrier = project.carrier
    carrier.legal_representative = "Nadia Benali"
    carrier.email = "contact@structure.example"
    carrier.save()
    for field in (
        "axis_children",
        "axis_parents",
        "axis_school",
        "axis_territory",
        "objectives",
        "premises",
    ):
        setattr(project, field, "Un texte qui décrit l'action.")
    project.public_levels = ["CP", "CE1"]
    project.coordinator_name = "Karim Aït-Saïd"
    project.coordinator_qualification = "DUT carrières sociales"
    project.coordinator_has_bac2 = True
    project.save()
    if not project.collectives.exists():
        CollectiveFactory(project=project)
    for collective in project.collectives.all():
        collective.weekdays = ["mardi", "jeudi"]
        collective.start_date = datetime.date(project.campaign.year, 9, 20)
        collective.save()
        if collective.intervenants.count() < 2:
            for name in ("Inès Morel", "Hugo Blanc"):
                Intervenant.objects.create(
                    collective=collective, full_name=name, qualification="BAFA"
                )
    if not project.budget_lines.exists():
        BudgetLine.objects.create(project=project, account="64", amount=9000)
        BudgetLine.objects.create(project=project, account="74", financer="commune", amount=9000)
    if with_documents:
        for document in DocumentType.objects.filter(caf_id=project.campaign.caf_id):
            if document.applies_to(project.situation):
                Attachment.objects.create(
                    project=project,
                    document_type=document,
                    file=pdf_upload(),
                    original_name="piece.pdf",
                    content_type="application/pdf",
                    size=100,
                )
    return project


def deposit_data(confirm=True, signatory="Camille Martin"):
    """What the carrier posts to deposit: each of the Caf's attestations ticked (the national
    defaults), the signatory, and the confirmation."""
    from funding.models import DEFAULT_ENGAGEMENTS

    count = len([line for line in DEFAULT_ENGAGEMENTS.splitlines() if line.strip()])
    data = {f"engagement_{index}": "1" for index in range(count)}
    data["engaged_as"] = signatory
    if confirm:
        data["confirm"] = "1"
    return data
