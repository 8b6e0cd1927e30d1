"""The lean PDF rendering of issue 21 (clasportal/pdf.py): the same text as WeasyPrint's own
rendering, lists keep their markers, the XHTML path is taken by the agrément list and falls
back to the HTML parser for a document that is not well-formed."""

import copy
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from weasyprint import HTML

from clasportal.pdf import html_to_pdf
from committee.exports import agenda_rows, agrement_pdf
from committee.models import AgendaItem, CommitteeSession
from projects.models import Project

from .declaration_helpers import approve
from .request_helpers import pdf_text

DOCUMENT = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"/><title>Essai</title></head>'
    "<body><h1>Liste d'essai</h1><ul><li>Premier point</li><li>Second point</li></ul>"
    "<ol><li>Un</li><li>Deux</li></ol>"
    "<table><tbody><tr><td>Commune</td><td>1 234,56 €</td></tr></tbody></table></body></html>"
)


def words(data):
    return " ".join(pdf_text(data).split())


def test_lean_rendering_has_the_words_of_weasyprints_own():
    reference = words(HTML(string=DOCUMENT).write_pdf())
    assert words(html_to_pdf(DOCUMENT)) == reference
    assert words(html_to_pdf(DOCUMENT, xhtml=True)) == reference
    # List markers are kept (the lean sheet keeps ::marker on list items).
    # (pypdf reads the markers after the text.)
    assert reference.count("•") == 2 and "1. 2." in reference


def test_a_document_that_is_not_xhtml_is_read_as_html(caplog):
    html = DOCUMENT.replace('<meta charset="utf-8"/>', '<meta charset="utf-8">')
    with caplog.at_level(logging.WARNING, logger="clasportal.pdf"):
        text = words(html_to_pdf(html, xhtml=True))
    assert "Liste d'essai" in text and "Premier point" in text
    assert "XHTML mal formé" in caplog.text


def test_no_entity_is_declared_in_an_xhtml_document(caplog):
    bomb = (
        '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<html><body><p>&b;</p><p>Texte</p></body></html>"
    )
    with caplog.at_level(logging.WARNING, logger="clasportal.pdf"):
        text = words(html_to_pdf(bomb, xhtml=True))
    assert "entité refusée" in caplog.text and "Texte" in text and "aaaaa" not in text


@pytest.mark.django_db
def test_the_agrement_list_is_read_as_xhtml_and_names_the_caf_in_its_header(loire, caplog):
    loire.caf.name = "Côtes-d'Armor"
    loire.caf.save()
    project = approve(loire, collectives=1)
    session = project.agenda_items.get().session
    with caplog.at_level(logging.WARNING, logger="clasportal.pdf"):
        data = agrement_pdf(session, agenda_rows(session))
    assert "XHTML mal formé" not in caplog.text  # the template stays well-formed
    text = words(data)
    # The page header is CSS content: the apostrophe is a character, not « &#x27; ».
    assert "Caf Côtes-d'Armor — Liste d'agrément Clas" in text and "&#x27;" not in text
    assert f"{project.title} · convention" in text and project.carrier.legal_name in text
    assert "Page 1 sur 1" in text


@pytest.mark.django_db
def test_the_agrement_list_reads_its_rows_in_constant_queries(loire, django_assert_num_queries):
    project = approve(loire, collectives=1)
    session = project.agenda_items.get().session
    with CaptureQueriesContext(connection) as one_row:
        agrement_pdf(CommitteeSession.objects.get(pk=session.pk))
    clones = []
    for n in range(40):
        clone = copy.copy(project)
        clone.pk, clone.title = None, f"Projet d'essai {n:02d}"
        clone._state.adding = True
        clones.append(clone)
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, project=clone, position=n + 1)
        for n, clone in enumerate(Project.objects.bulk_create(clones))
    )
    with django_assert_num_queries(len(one_row)):
        data = agrement_pdf(CommitteeSession.objects.get(pk=session.pk))
    text = words(data)
    assert "Projet d'essai 00" in text and "Projet d'essai 39" in text
