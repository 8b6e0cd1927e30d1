"""clasportal.lists.cell_html writes what the template engine writes for ``{{ value }}``
(localize, then conditional_escape), its shortcuts for plain strings and small integers
included."""

import datetime
from decimal import Decimal

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given
from hypothesis import strategies as st

from clasportal.lists import cell_html
from projects.models import ProjectStatus


def as_template(value):
    return conditional_escape(localize(value))


@given(
    st.one_of(
        st.text(),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.decimals(
            allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
        ),
        st.booleans(),
        st.none(),
        st.dates(),
    )
)
def test_every_value_is_written_as_the_template_writes_it(value):
    written = cell_html(value)
    assert written == as_template(value)
    assert isinstance(written, SafeString)


def test_the_edges_of_the_shortcuts():
    for value in (-1000, -999, 0, 999, 1000, 12345, True, False):
        assert cell_html(value) == as_template(value), value
    assert cell_html(1234) != "1234"  # grouped, as the page shows it
    assert cell_html('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert cell_html(mark_safe("<b>sûr</b>")) == "<b>sûr</b>"  # noqa: S308
    assert cell_html(ProjectStatus.APPROVED) == as_template(ProjectStatus.APPROVED)
    assert cell_html(Decimal("1234.50")) == as_template(Decimal("1234.50"))
    assert cell_html(datetime.date(2026, 7, 31)) == as_template(datetime.date(2026, 7, 31))
