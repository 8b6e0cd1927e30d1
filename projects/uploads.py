"""Uploaded documents: type sniffed from the bytes (never trusted from the name), size limited.

Every upload (request attachments, declaration documents) goes through ``validate_upload``. The
check costs the same whatever the file holds: a zip is read from its central directory, at most
``MAX_ZIP_ENTRIES`` entries are looked at, and only the ``mimetype`` entry of an OpenDocument is
read, ``MIMETYPE_READ`` bytes at most. Nothing is ever decompressed whole, so a zip bomb (a few
hundred bytes that inflate to gigabytes) costs a few kilobytes of memory.
"""

import io
import re
import struct
import unicodedata
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError

# Office documents are zip files; tell them apart by the entry that names their kind.
ZIP_KINDS = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"),
}
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
}
ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS"

# The extension a file is named and served under, from its detected type (first one preferred);
# the others are kept when the user already named the file with them.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    ZIP_KINDS["word/"][0]: (".docx",),
    ZIP_KINDS["xl/"][0]: (".xlsx",),
    ZIP_KINDS["ppt/"][0]: (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
}
# What is taken for an extension to replace: a dot, a letter, up to four letters or digits.
# "Bilan v1.2" keeps its ".2" (then gets ".pdf"); "poly.html" becomes "poly.pdf".
SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
NAME_LENGTH = 120

# Zip reading bounds. Office documents have a few dozen entries (a large workbook, a few hundred)
# and name their kind in the first ones; past MAX_ZIP_ENTRIES the rest is not looked at.
MAX_ZIP_ENTRIES = 1000
MAX_NAME_READ = 256  # longer entry names are skipped unread: none of those we look for is long
MIMETYPE_READ = 100  # an ODF mimetype is 39 to 46 bytes
# End of central directory record: disk numbers, directory size and offset, comment length.
EOCD = struct.Struct("<4s2H4x2LH")
# Central directory header: flags, method, sizes, name/extra/comment lengths, local header offset.
CENTRAL = struct.Struct("<4s4x2H8x2L3H8xL")
LOCAL = struct.Struct("<4s22x2H")  # local file header: name and extra field lengths
STORED, DEFLATED, ENCRYPTED = 0, 8, 0x1


class _NotAZip(Exception):
    pass


def _read_exactly(handle, size):
    data = handle.read(size)
    if len(data) != size:
        raise _NotAZip
    return data


def _end_of_central_directory(handle):
    """(offset, size) of the central directory; only single-disk, non-zip64 archives."""
    handle.seek(0, io.SEEK_END)
    end = handle.tell()
    tail_size = min(end, EOCD.size + 0xFFFF)  # the record, then a comment of 64 Kio at most
    handle.seek(end - tail_size)
    tail = _read_exactly(handle, tail_size)
    # The record is the last signature whose comment length reaches the end of the file: the
    # signature may also appear inside the comment. Failing that (bytes appended after the
    # record), the last signature.
    record = None
    position = len(tail) - EOCD.size + 4
    while (position := tail.rfind(b"PK\x05\x06", 0, position)) >= 0:
        if record is None:
            record = position
        if position + EOCD.size + EOCD.unpack_from(tail, position)[-1] == len(tail):
            record = position
            break
    if record is None:
        raise _NotAZip
    position = record
    _sig, disk, cd_disk, cd_size, cd_offset, _comment = EOCD.unpack_from(tail, position)
    eocd_offset = end - tail_size + position
    if disk or cd_disk or cd_offset + cd_size > eocd_offset:
        raise _NotAZip  # multi-disk, zip64 (0xFFFFFFFF sizes) or inconsistent offsets
    return cd_offset, cd_size


def _zip_entries(handle):
    """Yields (name, method, flags, compressed size, uncompressed size, local header offset)
    for the first MAX_ZIP_ENTRIES entries of the central directory, reading only their headers."""
    cd_offset, cd_size = _end_of_central_directory(handle)
    handle.seek(cd_offset)
    remaining = cd_size
    for _ in range(MAX_ZIP_ENTRIES):
        if remaining < CENTRAL.size:
            return
        header = _read_exactly(handle, CENTRAL.size)
        sig, flags, method, csize, usize, name_len, extra_len, comment_len, offset = CENTRAL.unpack(
            header
        )
        if sig != b"PK\x01\x02":
            raise _NotAZip
        if name_len <= MAX_NAME_READ:
            raw = _read_exactly(handle, name_len)
            name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
            handle.seek(extra_len + comment_len, io.SEEK_CUR)
        else:
            name = None
            handle.seek(name_len + extra_len + comment_len, io.SEEK_CUR)
        remaining -= CENTRAL.size + name_len + extra_len + comment_len
        if name is not None:
            yield name, method, flags, csize, usize, offset


def _read_mimetype(handle, method, flags, csize, usize, offset):
    """The first bytes of the ``mimetype`` entry, or None when it is not a plain small entry."""
    if method not in (STORED, DEFLATED) or flags & ENCRYPTED or usize > MIMETYPE_READ:
        return None
    handle.seek(offset)
    sig, name_len, extra_len = LOCAL.unpack(_read_exactly(handle, LOCAL.size))
    if sig != b"PK\x03\x04":
        raise _NotAZip
    handle.seek(name_len + extra_len, io.SEEK_CUR)
    data = handle.read(min(csize, 2 * MIMETYPE_READ))
    if method == STORED:
        return data[:usize]
    try:
        return zlib.decompressobj(-15).decompress(data, MIMETYPE_READ)
    except zlib.error:
        return None


def _sniff_zip(handle):
    found = set()
    mimetype = None
    for name, method, flags, csize, usize, offset in _zip_entries(handle):
        if name == "mimetype" and mimetype is None:
            mimetype = (method, flags, csize, usize, offset)
        for prefix in ZIP_KINDS:
            if name.startswith(prefix):
                found.add(prefix)
    if mimetype is not None:
        content = _read_mimetype(handle, *mimetype)
        if content is None:
            return None  # no OpenDocument compresses its mimetype otherwise, nor hides it
        kind = content.decode("ascii", "replace").strip()
        if kind in ODF_KINDS:
            return kind, ODF_KINDS[kind]
    for prefix, result in ZIP_KINDS.items():
        if prefix in found:
            return result
    return None


def sniff(head: bytes, handle) -> tuple[str, str] | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf", "PDF"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "PNG"
    if head.startswith(b"PK\x03\x04"):
        try:
            return _sniff_zip(handle)
        except (_NotAZip, struct.error, ValueError, OSError):
            return None
        finally:
            handle.seek(0)
    return None


def clean_filename(name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = base.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .") or "document"
    return base[:NAME_LENGTH]


def typed_name(name: str, content_type: str) -> str:
    """The name under which a file of this detected type is shown and served: its extension is
    the type's ("poly.html" holding a PDF is "poly.pdf"), whatever the user called it."""
    extensions = EXTENSIONS.get(content_type)
    if not extensions or name.lower().endswith(extensions):
        return name
    stem = SUFFIX.sub("", name).rstrip(" .") or "document"
    return stem[: NAME_LENGTH - len(extensions[0])] + extensions[0]


def validate_upload(upload):
    """Returns (content_type, clean name ending with the type's extension); raises a French
    ValidationError naming the file."""
    limit = settings.CLAS_UPLOAD_MAX_BYTES
    name = clean_filename(upload.name or "")
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
    return kind[0], typed_name(name, kind[0])
