"""HTML to PDF with WeasyPrint, without the work our documents never use (issue 21: the agrément
list of 300 projects in under 2 s).

WeasyPrint's HTML5 user-agent stylesheet gives *every* element a `::marker`, `::footnote-call`,
`::footnote-marker`, `::note-*` pseudo-element, whose styles it then computes one by one: for a
table of 300 rows that is six computed styles per cell that nothing displays (a tenth of the
document's time). Our documents have no footnotes or notes, and markers only on list items, so
the lean sheet keeps every other rule of WeasyPrint's own and scopes `::marker` to `li`.

A template written as well-formed XHTML (`<br/>`, `<!DOCTYPE html>`, no named entity but the five
of XML) can also skip WeasyPrint's pure-Python HTML parser for Python's own (expat): `xhtml=True`.
The tree is the same (plain tag names, the same text); a document that is not well-formed falls
back to the HTML parser with a warning, so nothing is ever refused for it.
"""

import logging
import re
from xml.etree import ElementTree

import cssselect2
from weasyprint import CSS, HTML

try:  # WeasyPrint's own user-agent sheet, read once; without it, WeasyPrint's default.
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA, UA_STYLESHEET
except ImportError:  # pragma: no cover - another WeasyPrint layout
    UA_STYLESHEET = LEAN_UA_STYLESHEET = None
else:
    _UNUSED_PSEUDO = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", re.M)
    LEAN_UA = _UNUSED_PSEUDO.sub("", UA).replace("\n::marker {", "\nli::marker {")
    # Its @counter-style rules are already in WeasyPrint's own counter styles, which every
    # document starts from: read them here into a throwaway set.
    LEAN_UA_STYLESHEET = CSS(string=LEAN_UA, counter_style=CounterStyle())


logger = logging.getLogger(__name__)


class LeanHTML(HTML):
    @classmethod
    def from_xhtml(cls, xhtml, **options):
        """The document parsed by expat, set up as `HTML.__init__` sets up a parsed string.
        Our own rendered templates only (their data is escaped: no markup comes from it); no
        entity may be declared (the « billion laughs »), so no DTD is read."""
        if "<!ENTITY" in xhtml.upper():
            raise ElementTree.ParseError("déclaration d'entité refusée")
        root = ElementTree.fromstring(xhtml)  # noqa: S314 - see above: no DTD, no entity
        document = cls.__new__(cls)
        HTML.__init__(document, string="<html></html>", **options)  # base URL, fetcher, media
        document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root)
        document.etree_element = document.wrapper_element.etree_element
        return document

    def _ua_stylesheets(self, *args, **kwargs):
        sheets = super()._ua_stylesheets(*args, **kwargs)
        if LEAN_UA_STYLESHEET is None:
            return sheets
        return [LEAN_UA_STYLESHEET if sheet is UA_STYLESHEET else sheet for sheet in sheets]


def html_to_pdf(html: str, *, xhtml=False, **options) -> bytes:
    """The PDF of a rendered template (`options` go to WeasyPrint's HTML, e.g. url_fetcher)."""
    if xhtml:
        try:
            return LeanHTML.from_xhtml(html, **options).write_pdf()
        except ElementTree.ParseError as exc:
            logger.warning("XHTML mal formé (%s) : lecture par l'analyseur HTML", exc)
    return LeanHTML(string=html, **options).write_pdf()
