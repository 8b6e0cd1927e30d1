"""A validated declaration and a payment notice, as PDF files, for the carrier and its Caf."""

from django.http import Http404, HttpResponse

from clasportal.scoping import get_visible_or_404

from .. import documents
from ..models import Declaration, Payment
from .common import visible_declaration


def _pdf(content, name):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def declaration_pdf(request, pk):
    declaration = visible_declaration(request, pk)
    if declaration.status != Declaration.Status.VALIDATED:
        raise Http404
    name = f"{declaration.kind}-{declaration.project_id}.pdf"
    return _pdf(documents.declaration_pdf(declaration), name)


def payment_notice(request, pk):
    payment = get_visible_or_404(
        Payment.objects.select_related("project__carrier", "project__campaign__caf"),
        request.user,
        pk=pk,
    )
    if payment.status != Payment.Status.PAID:
        raise Http404
    return _pdf(documents.payment_notice_pdf(payment), f"avis-paiement-{payment.pk}.pdf")
