"""Attachments: uploaded by the carrier, stored privately, served only to those who may see them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from clasportal import files

from .. import workflow
from ..completeness import documents_to_add
from ..forms import AttachmentForm
from ..models import Attachment, ProjectStatus
from ..steps import can_edit_section
from ..uploads import typed_name, validate_upload
from .common import carrier_project, visible_project
from .request import attachments_page, step_url

# The steps an upload form may come back to (the RIB is asked on the « structure » step). Where
# to go back only: whether the upload is allowed depends on the « pièces » section alone.
BACK_STEPS = ("pieces", "structure")


def _locked_message(project):
    if project.status == ProjectStatus.CHANGES_REQUESTED:
        return (
            "Les pièces ne font pas partie des sections rouvertes : elles ne sont pas modifiables."
        )
    return "Les pièces ne sont plus modifiables : la demande est déposée."


@require_POST
def attachment_upload(request, pk):
    project = carrier_project(request, pk)
    back = request.POST.get("back")
    if back not in BACK_STEPS:
        back = "pieces"
    addable = documents_to_add(project)
    if addable == []:
        messages.error(request, _locked_message(project))
        return redirect(step_url(project, "pieces"))
    form = AttachmentForm(request.POST, request.FILES, project=project, only=addable)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content_type, name = validate_upload(upload)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            try:
                files.create_with_file(
                    Attachment,
                    project=project,
                    document_type=form.cleaned_data["document_type"],
                    file=upload,
                    original_name=name,
                    content_type=content_type,
                    size=upload.size,
                    uploaded_by=request.user,
                )
            except files.StorageUnavailable as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"« {name} » ajouté.")
                return redirect(step_url(project, back))
    return attachments_page(request, project, form=form)


@require_POST
def attachment_delete(request, pk, attachment_pk):
    project = carrier_project(request, pk)
    attachment = get_object_or_404(project.attachments, pk=attachment_pk)
    if can_edit_section(project, "pieces"):
        with transaction.atomic():
            workflow.record(
                attachment,
                by=request.user,
                action="delete_attachment",
                note=attachment.original_name,
                data={"document_type": str(attachment.document_type or "")},
            )
            attachment.delete()
        files.discard(attachment.file.name)
        messages.success(request, f"« {attachment.original_name} » supprimé.")
    else:
        messages.error(request, _locked_message(project))
    return redirect(step_url(project, "pieces"))


def attachment_download(request, pk, attachment_pk):
    project = visible_project(request, pk)
    attachment = get_object_or_404(project.attachments, pk=attachment_pk)
    return files.stream(
        request,
        attachment.file,
        filename=typed_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )


def receipt_download(request, pk):
    project = visible_project(request, pk)
    if not project.receipt:
        messages.info(request, "Le récépissé est produit au dépôt de la demande.")
        return redirect("projects:detail", pk=project.pk)
    return files.stream(
        request,
        project.receipt,
        filename=f"recepisse-depot-{project.pk}.pdf",
        content_type="application/pdf",
    )
