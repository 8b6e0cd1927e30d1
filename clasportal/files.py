"""Private files (attachments, receipts, exports, letters) through Django's storage API only.

The storage is the local disk (make run) or an S3-compatible object store (CLAS_S3_BUCKET): no
code here or in the apps builds a filesystem path, so every web node and worker sees the same
files. A file is served only by a view that checked permissions, streamed from ``storage.open``,
never from a public URL. When the storage does not answer, an upload is refused with a French
message and nothing is half-saved: the file is stored before its row, and removed again when the
row cannot be written.
"""

import logging

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

try:  # S3 errors are botocore's own, not OSError
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - botocore ships with django-storages[s3]
    STORAGE_ERRORS = (OSError,)

UNAVAILABLE = (
    "Le stockage des documents est momentanément indisponible : le fichier n'a pas été "
    "enregistré. Réessayez dans quelques minutes."
)
UNAVAILABLE_READ = (
    "Le stockage des documents est momentanément indisponible : le fichier ne peut pas être "
    "téléchargé. Réessayez dans quelques minutes."
)


class StorageUnavailable(Exception):
    """The storage refused or did not answer; nothing was saved."""

    message = UNAVAILABLE


def create_with_file(model, *, field="file", **values):
    """``model.objects.create(**values)`` with the file in ``values[field]`` stored first.

    Raises StorageUnavailable (and writes no row) when the storage fails; deletes the stored
    file again when the row cannot be written, so no row ever points to a missing file and no
    file is left without its row."""
    upload = values[field]
    instance = model(**values)
    field_file = getattr(instance, field)
    try:
        field_file.save(upload.name, upload, save=False)
    except STORAGE_ERRORS as exc:
        logger.warning("upload refused, storage unavailable: %s", exc)
        raise StorageUnavailable from exc
    try:
        with transaction.atomic():
            instance.save()
    except Exception:
        discard(field_file.name)
        raise
    return instance


def discard(name):
    """Delete a stored file, quietly: used to clean up after a failure."""
    if not name:
        return
    from django.core.files.storage import default_storage

    try:
        default_storage.delete(name)
    except STORAGE_ERRORS:
        logger.warning("stored file %s could not be removed", name, exc_info=True)


def stream(request, field_file, *, filename, content_type):
    """The file as a download, streamed from the storage; a 503 page when it does not answer."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        logger.error("stored file %s is missing", field_file.name)
        raise Http404 from exc
    except STORAGE_ERRORS:
        logger.warning("storage unavailable reading %s", field_file.name, exc_info=True)
        if request is None:
            return HttpResponse(
                UNAVAILABLE_READ, status=503, content_type="text/plain; charset=utf-8"
            )
        return render(request, "errors/storage.html", {"message": UNAVAILABLE_READ}, status=503)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
