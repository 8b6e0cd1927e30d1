"""Uploaded documents: type sniffed from the bytes (never trusted from the name), size limited."""

import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

# Office documents are zip files; tell them apart by the entry that names their kind.
ZIP_KINDS = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"),
}
ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS"


def sniff(head: bytes, handle) -> tuple[str, str] | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf", "PDF"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "PNG"
    if head.startswith(b"PK\x03\x04"):
        try:
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    kind = archive.read("mimetype").decode("ascii", "replace").strip()
                    if kind == "application/vnd.oasis.opendocument.text":
                        return kind, "ODT"
                    if kind == "application/vnd.oasis.opendocument.spreadsheet":
                        return kind, "ODS"
                for prefix, result in ZIP_KINDS.items():
                    if any(name.startswith(prefix) for name in names):
                        return result
        except zipfile.BadZipFile:
            return None
        finally:
            handle.seek(0)
    return None


def clean_filename(name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = base.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .") or "document"
    return base[:120]


def validate_upload(upload):
    """Returns (content_type, clean name); raises a French ValidationError naming the file."""
    limit = settings.CLAS_UPLOAD_MAX_BYTES
    name = clean_filename(upload.name)
    if upload.size > limit:
        raise ValidationError(
            f"« {name} » pèse {upload.size / 1_048_576:.1f} Mo : la limite est de "
            f"{limit / 1_048_576:.0f} Mo par fichier.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"« {name} » est vide.", code="empty")
    upload.seek(0)
    head = upload.read(8)
    kind = sniff(head, upload)
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            f"« {name} » n'est pas d'un type accepté ({ACCEPTED}).", code="bad_type"
        )
    return kind[0], name
