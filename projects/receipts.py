"""The deposit receipt (récépissé de dépôt), a PDF made by WeasyPrint from a template."""

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from weasyprint import HTML

from .completeness import simulated_funding


def receipt_pdf(project) -> bytes:
    html = render_to_string(
        "projects/receipt.html",
        {
            "project": project,
            "collectives": project.collectives.prefetch_related("intervenants"),
            "attachments": project.attachments.select_related("document_type"),
            "funding": simulated_funding(project),
        },
    )
    return HTML(string=html).write_pdf()


def attach_receipt(project):
    pdf = receipt_pdf(project)
    project.receipt.save(
        f"recepisse-{project.pk}-v{project.version}.pdf", ContentFile(pdf), save=False
    )
    project.save(update_fields=["receipt"])
    return project.receipt
