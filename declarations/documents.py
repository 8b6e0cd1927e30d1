"""The declarations' documents on a project's page: each validated declaration with its right
and the computation step by step, and a notice for each payment made, as PDF files built on
demand from the stored figures (so they always say what was decided, never recomputed)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from projects.documents import Document

from .consequences import effect_text, rejections, retained
from .models import BilanForm, BilanResponse, Declaration, Payment


def declaration_documents(project, user):
    documents = []
    bilan = _bilan_entry(project)
    if bilan:
        documents.append(bilan)
    # From .all(): the project page has them prefetched already (no query of its own here).
    declarations = sorted(
        (d for d in project.declarations.all() if d.status == Declaration.Status.VALIDATED),
        key=lambda d: d.kind,
    )
    for declaration in declarations:
        documents.append(
            Document(
                f"{declaration.get_kind_display()} validée",
                reverse("declarations:declaration_pdf", args=[declaration.pk]),
                timezone.localdate(declaration.validated_at) if declaration.validated_at else None,
            )
        )
    payments = sorted(
        (p for p in project.payments.all() if p.status == Payment.Status.PAID),
        key=lambda p: p.created_at,
    )
    for payment in payments:
        documents.append(
            Document(
                f"Avis de paiement — {payment.get_kind_display().lower()}",
                reverse("declarations:payment_notice", args=[payment.pk]),
                timezone.localdate(payment.updated_at),
            )
        )
    return documents


def _bilan_entry(project):
    """The project's bilan, once its campaign has a questionnaire: to fill, or to reread."""
    if project.status != "approved":
        return None
    form = BilanForm.objects.filter(campaign_id=project.campaign_id).first()
    if form is None:
        return None
    response = BilanResponse.objects.filter(form=form, project=project).first()
    if response and response.status == BilanResponse.Status.SUBMITTED:
        label, date = "Bilan de l'action (transmis)", timezone.localdate(response.submitted_at)
    else:
        renewal = " — exigé avant tout renouvellement" if form.required_for_renewal else ""
        label = f"Bilan de l'action, à transmettre avant le {form.due_on:%d/%m/%Y}{renewal}"
        date = None
    return Document(
        label, reverse("declarations:bilan_fill", args=[project.pk]), date, kind="Formulaire"
    )


def declaration_pdf(declaration) -> bytes:
    html = render_to_string(
        "declarations/declaration_pdf.html",
        {
            "declaration": declaration,
            "project": declaration.project,
            "block": declaration.result_block,
            "today": timezone.localdate(),
            # The GC's rejections and what they changed (issue 17), read from the stored effects.
            "rejected": [(effect_text(j), j.decision_note) for j in rejections(declaration)],
            "retained": retained(declaration),
        },
    )
    return HTML(string=html).write_pdf()


def payment_notice_pdf(payment) -> bytes:
    html = render_to_string(
        "declarations/payment_notice_pdf.html",
        {"payment": payment, "project": payment.project, "today": timezone.localdate()},
    )
    return HTML(string=html).write_pdf()
