"""Issue 14 (items 1 and 12): uploads hardened.

- a zip is classified from a few bytes of one entry, never by decompressing it whole;
- a file is named and served under the extension of the type found in its bytes;
- a collective has 8 intervenants at most;
- the « pièces » lock holds whatever ``back`` the upload form posts.
"""

import io
import struct
import time
import tracemalloc
import warnings
import zipfile

import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from declarations.models import DeclarationDocument
from projects.models import Attachment, DocumentType, ProjectStatus
from projects.uploads import validate_upload

from .request_helpers import PDF_BYTES

ODT = "application/vnd.oasis.opendocument.text"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MB = 1024 * 1024


def zip_bytes(*entries):
    """entries: (name, data, compress_type) written in order."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the fuzzing
        for name, data, method in entries:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def bomb():
    """A few kilobytes that decompress to 100 Mo: a bzip2 ``mimetype`` and a huge deflated part."""
    return zip_bytes(
        ("mimetype", b"\x00" * (50 * MB), zipfile.ZIP_BZIP2),
        ("word/document.xml", b"\x00" * (50 * MB), zipfile.ZIP_DEFLATED),
    )


def odt_bomb():
    """A well-formed ODT ``mimetype`` first, then a deflated part of 50 Mo of zeros."""
    return zip_bytes(
        ("mimetype", ODT.encode(), zipfile.ZIP_STORED),
        ("content.xml", b"\x00" * (50 * MB), zipfile.ZIP_DEFLATED),
    )


def measured(function):
    """(result or raised exception, peak of Python allocations in bytes, seconds)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        try:
            outcome = function()
        except Exception as exc:  # noqa: BLE001 - returned to the test that asserts on it
            outcome = exc
        return outcome, tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


# -- 1. Decompression bombs --------------------------------------------------------------------


def test_a_bzip2_mimetype_bomb_is_refused_without_being_decompressed():
    data = bomb()
    assert len(data) < 200_000
    upload = SimpleUploadedFile("bilan.odt", data)
    outcome, peak, seconds = measured(lambda: validate_upload(upload))
    assert peak < 5 * MB, f"{peak / MB:.1f} Mo alloués pour classer {len(data)} octets"
    assert seconds < 2
    assert isinstance(outcome, ValidationError), outcome
    assert outcome.code == "bad_type"


def test_an_odt_with_a_huge_part_is_classified_from_its_mimetype_only():
    data = odt_bomb()
    upload = SimpleUploadedFile("bilan.odt", data)
    outcome, peak, seconds = measured(lambda: validate_upload(upload))
    assert outcome == (ODT, "bilan.odt")
    assert peak < 5 * MB and seconds < 2


def test_a_deflated_mimetype_bomb_is_not_inflated():
    data = zip_bytes(("mimetype", ODT.encode() + b" " * (50 * MB), zipfile.ZIP_DEFLATED))
    upload = SimpleUploadedFile("bilan.odt", data)
    outcome, peak, _ = measured(lambda: validate_upload(upload))
    assert peak < 5 * MB
    assert isinstance(outcome, ValidationError)  # a 50 Mo « mimetype » is no ODF document


def test_too_many_entries_are_not_all_looked_at():
    entries = [(f"x/{i}", b"", zipfile.ZIP_STORED) for i in range(20_000)]
    data = zip_bytes(*entries, ("word/document.xml", b"<w/>", zipfile.ZIP_DEFLATED))
    upload = SimpleUploadedFile("rapport.docx", data)
    outcome, peak, seconds = measured(lambda: validate_upload(upload))
    assert isinstance(outcome, ValidationError)  # the Word part is beyond the entries looked at
    assert peak < 5 * MB and seconds < 2


def test_the_bomb_is_refused_by_the_request_and_the_declaration_uploads(client, loire):
    from declarations import services

    from .declaration_helpers import approve

    client.force_login(loire.carrier_user)
    document = DocumentType.objects.filter(caf=loire.caf).first()
    response = client.post(
        reverse("projects:attachment_upload", args=[loire.project.pk]),
        {"document_type": document.pk, "file": SimpleUploadedFile("bilan.odt", bomb())},
    )
    assert response.status_code == 200
    assert "n&#x27;est pas d&#x27;un type accepté" in response.content.decode()
    assert not Attachment.objects.exists()

    project = approve(loire)
    declaration = services.open_declaration(project, "forecast", by=loire.carrier_user)
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("declarations:upload", args=[declaration.pk]),
        {"kind": "bilan", "file": SimpleUploadedFile("bilan.docx", bomb())},
        follow=True,
    )
    assert "n&#x27;est pas d&#x27;un type accepté" in response.content.decode()
    assert not DeclarationDocument.objects.exists()


def unsupported_method_mimetype():
    """A zip whose ``mimetype`` entry claims compression method 99 (AES, unsupported)."""
    data = bytearray(zip_bytes(("mimetype", ODT.encode(), zipfile.ZIP_STORED)))
    data[8:10] = struct.pack("<H", 99)  # local header
    central = data.index(b"PK\x01\x02")
    data[central + 10 : central + 12] = struct.pack("<H", 99)
    return bytes(data)


def encrypted_mimetype():
    data = bytearray(zip_bytes(("mimetype", ODT.encode(), zipfile.ZIP_STORED)))
    data[6] |= 1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1
    return bytes(data)


METHODS = st.sampled_from(
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
NAMES = st.one_of(
    st.sampled_from(["mimetype", "word/document.xml", "xl/workbook.xml", "ppt/p.xml", "a"]),
    st.text(min_size=1, max_size=20),
)
CONTENTS = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([ODT.encode(), b"application/vnd.oasis.opendocument.spreadsheet"]),
)


@st.composite
def archives(draw):
    entries = draw(st.lists(st.tuples(NAMES, CONTENTS, METHODS), min_size=1, max_size=6))
    data = bytearray(zip_bytes(*entries))
    # Then corrupt a few bytes anywhere (headers, sizes, offsets, methods…).
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(4, len(data)))]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(min_size=1, max_size=400),
        st.binary(max_size=400).map(lambda tail: b"PK\x03\x04" + tail),
        archives(),
    ),
    st.text(max_size=30),
)
@example(unsupported_method_mimetype(), "bilan.odt")
@example(encrypted_mimetype(), "bilan.odt")
def test_validate_upload_only_ever_refuses_and_always_quickly(data, name):
    try:
        upload = SimpleUploadedFile(name or "x", data)
    except SuspiciousFileOperation:  # "/" or "..": Django's upload parser never hands those over
        assume(False)
    started = time.perf_counter()
    try:
        content_type, clean = validate_upload(upload)
    except ValidationError:
        pass
    else:
        assert content_type and clean
    assert time.perf_counter() - started < 1
    assert upload.tell() == 0


# -- 2. The detected type's extension ------------------------------------------------------------


def upload_to_project(client, project, name, content, **extra):
    document = DocumentType.objects.filter(caf_id=project.campaign.caf_id).first()
    return client.post(
        reverse("projects:attachment_upload", args=[project.pk]),
        {"document_type": document.pk, "file": SimpleUploadedFile(name, content), **extra},
    )


def test_a_pdf_named_html_is_stored_and_served_as_pdf(client, loire):
    client.force_login(loire.carrier_user)
    assert upload_to_project(client, loire.project, "poly.html", PDF_BYTES).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "poly.pdf"
    assert attachment.content_type == "application/pdf"
    assert "poly" not in attachment.file.name and ".html" not in attachment.file.name
    response = client.get(reverse("projects:attachment", args=[loire.project.pk, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="poly.pdf"'


def test_a_name_saved_before_the_fix_is_served_with_the_detected_extension(client, loire):
    client.force_login(loire.carrier_user)
    upload_to_project(client, loire.project, "poly.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    Attachment.objects.filter(pk=attachment.pk).update(original_name="poly.html")
    response = client.get(reverse("projects:attachment", args=[loire.project.pk, attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="poly.pdf"'


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("poly.html", PDF_BYTES, "poly.pdf"),
        ("photo.JPEG", b"\xff\xd8\xff\xe0rest", "photo.JPEG"),
        ("photo.jpg", b"\xff\xd8\xff\xe0rest", "photo.jpg"),
        ("scan.svg", PNG_BYTES, "scan.png"),
        ("statuts", PDF_BYTES, "statuts.pdf"),
        ("Bilan v1.2", PDF_BYTES, "Bilan v1.2.pdf"),
        ("bilan.docx", zip_bytes(("mimetype", ODT.encode(), 0)), "bilan.odt"),
        (".pdf", PDF_BYTES, "pdf.pdf"),
    ],
)
def test_the_clean_name_ends_with_the_detected_extension(name, content, expected):
    assert validate_upload(SimpleUploadedFile(name, content))[1] == expected


def test_a_declaration_document_is_named_and_served_by_its_detected_type(client, loire):
    from declarations import services

    from .declaration_helpers import approve

    project = approve(loire)
    declaration = services.open_declaration(project, "forecast", by=loire.carrier_user)
    client.force_login(loire.carrier_user)
    client.post(
        reverse("declarations:upload", args=[declaration.pk]),
        {"kind": "bilan", "file": SimpleUploadedFile("bilan.exe", PDF_BYTES)},
    )
    document = DeclarationDocument.objects.get()
    assert document.original_name == "bilan.pdf"
    DeclarationDocument.objects.filter(pk=document.pk).update(original_name="bilan.exe")
    response = client.get(reverse("declarations:document", args=[declaration.pk, document.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="bilan.pdf"'


# -- 3. At most 8 intervenants per collective ------------------------------------------------------


def collective_data(commune, intervenants):
    data = {
        "name": "Groupe A",
        "school_level": "elementaire",
        "commune": commune,
        "planned_children": "10",
        "planned_weeks": "30",
        "weekdays": ["mardi", "jeudi"],
        "sessions_per_week": "2",
        "session_minutes": "90",
        "start_date": "2026-09-21",
        "end_date": "2027-06-18",
        "intervenants-TOTAL_FORMS": str(intervenants),
        "intervenants-INITIAL_FORMS": "0",
        "intervenants-MIN_NUM_FORMS": "0",
        "intervenants-MAX_NUM_FORMS": "1000",
    }
    for i in range(intervenants):
        data[f"intervenants-{i}-full_name"] = f"Intervenant {i}"
        data[f"intervenants-{i}-qualification"] = "BAFA"
    return data


def test_a_collective_has_at_most_eight_intervenants(client, loire):
    client.force_login(loire.carrier_user)
    url = reverse("projects:collective_create", args=[loire.project.pk])
    before = loire.project.collectives.count()
    response = client.post(url, collective_data(loire.carrier.commune_id, 9))
    assert response.status_code == 200
    text = response.content.decode()
    assert "8 intervenants au plus" in text
    assert 'value="Intervenant 8"' in text and 'value="Groupe A"' in text  # entries kept
    assert loire.project.collectives.count() == before
    response = client.post(url, collective_data(loire.carrier.commune_id, 8))
    assert response.status_code == 302
    assert loire.project.collectives.get(name="Groupe A").intervenants.count() == 8


def test_adding_a_ninth_intervenant_to_an_existing_collective_is_refused(client, loire):
    collective = loire.project.collectives.get()
    existing = list(collective.intervenants.all())
    client.force_login(loire.carrier_user)
    url = reverse("projects:collective_edit", args=[loire.project.pk, collective.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, "") and not isinstance(value, bool)
    }
    data.update(collective_data(loire.carrier.commune_id, 0))
    data["name"] = collective.name
    data["intervenants-INITIAL_FORMS"] = str(len(existing))
    rows = [(i.pk, i.full_name) for i in existing] + [
        (None, f"Nouveau {n}") for n in range(9 - len(existing))
    ]
    data["intervenants-TOTAL_FORMS"] = str(len(rows))
    for index, (pk, full_name) in enumerate(rows):
        data[f"intervenants-{index}-id"] = pk or ""
        data[f"intervenants-{index}-full_name"] = full_name
        data[f"intervenants-{index}-qualification"] = "BAFA"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "8 intervenants au plus" in response.content.decode()
    assert collective.intervenants.count() == len(existing)


# -- 4. The « pièces » lock and the back parameter -----------------------------------------------


def changes_requested(project, reopened):
    project.status = ProjectStatus.CHANGES_REQUESTED
    project.reopened_sections = reopened
    project.save()


def with_every_document(project):
    """Nothing missing: the pieces section is then locked (a missing required document stays
    addable while the request waits, issue 20)."""
    for document in DocumentType.objects.filter(caf_id=project.campaign.caf_id):
        Attachment.objects.create(
            project=project,
            document_type=document,
            file=SimpleUploadedFile("deja.pdf", PDF_BYTES),
            original_name="deja.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
    return Attachment.objects.count()


def test_back_structure_does_not_open_locked_pieces(client, loire):
    changes_requested(loire.project, ["structure"])
    existing = with_every_document(loire.project)
    client.force_login(loire.carrier_user)
    response = upload_to_project(client, loire.project, "rib.pdf", PDF_BYTES, back="structure")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:step", args=[loire.project.pk, "pieces"])
    assert Attachment.objects.count() == existing
    page = client.get(response["Location"]).content.decode()
    assert "ne font pas partie des sections rouvertes" in page


@pytest.mark.parametrize("back", ["structure", "pieces", "recapitulatif", "//evil.example", ""])
def test_back_never_opens_a_deposited_request(client, loire, back):
    loire.project.status = ProjectStatus.SUBMITTED
    loire.project.save()
    existing = with_every_document(loire.project)
    client.force_login(loire.carrier_user)
    upload_to_project(client, loire.project, "rib.pdf", PDF_BYTES, back=back)
    assert Attachment.objects.count() == existing


@pytest.mark.parametrize(
    "back, step",
    [
        ("structure", "structure"),
        ("pieces", "pieces"),
        ("recapitulatif", "pieces"),
        ("https://evil.example/", "pieces"),
    ],
)
def test_only_whitelisted_back_values_are_honoured(client, loire, back, step):
    changes_requested(loire.project, ["pieces"])
    client.force_login(loire.carrier_user)
    response = upload_to_project(client, loire.project, "rib.pdf", PDF_BYTES, back=back)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:step", args=[loire.project.pk, step])
    assert Attachment.objects.count() == 1
