"""Numbers that are identifiers are written bare: USE_THOUSAND_SEPARATOR writes 1463 as
« 1 463 » wherever a template prints an integer, which breaks an element id, a form value, a
link's page number or a year (« 2 026/2 027 »)."""

import re
from pathlib import Path

import pytest
from django.template import engines

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# {{ something.pk }}, {{ x.id }}, {{ x_id }}, a year or a page number, printed without unlocalize.
IDENTIFIER = re.compile(
    r"\{\{ *[a-zA-Z_][\w.]*(\.pk|\.id|_id|_pk|year|page_number)(\|add:-?\d+)? *\}\}"
)


def test_no_template_prints_an_identifier_localized():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in IDENTIFIER.finditer(line):
                # auto_id and school_year are text already (« id_title », « 2026/2027 »).
                if "auto_id" not in match.group(0) and "school_year" not in match.group(0):
                    offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {match.group(0)}")
    assert offenders == []


@pytest.mark.parametrize("value", [7, 1463, 2026, 1_000_000])
def test_unlocalize_is_a_builtin_and_writes_the_bare_number(value, settings):
    assert settings.USE_THOUSAND_SEPARATOR
    template = engines["django"].from_string('<p id="item-{{ n|unlocalize }}">{{ n }}</p>')
    html = template.render({"n": value})
    assert f'id="item-{value}"' in html
    if value >= 1000:  # the displayed figure keeps the French grouping
        assert f">{value}<" not in html
