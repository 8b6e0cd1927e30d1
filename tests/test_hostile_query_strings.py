"""Query strings are input too: every list and page, asked with hostile filter values by every
role, answers without a 500 (a wrong value is ignored or refused, never trusted)."""

import pytest
from django.urls import reverse

from .test_authorization_matrix import MATRIX, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

# Every parameter a list of the portal reads, and values that broke or could break one.
PARAMETERS = (
    "campagne", "status", "kind", "territory", "commune", "findings", "late", "page", "sort",
    "q", "search", "bonus", "has_findings", "situation", "actor", "action", "project", "from",
    "to", "year", "per_page", "fmt",
)  # fmt: skip
HOSTILE = ("abc", "-1", "99999999999999999999999", "１", "' OR 1=1 --", "\x00", "2026-13-45", "")


@pytest.mark.parametrize("requester", ["carrier", "advisor", "processor", "caf_admin"])
def test_hostile_query_strings_never_give_a_500(client, world, requester):  # noqa: F811
    kwargs, requesters = world
    client.force_login(requesters[requester])
    pages = [
        name
        for name, (method, _expected) in MATRIX.items()
        if method == "GET" and name not in ("logout", "password_reset_confirm")
    ]
    checked = 0
    for name in pages:
        url = reverse(name, kwargs=kwargs.get(name, {}))
        for value in HOSTILE:
            query = {parameter: value for parameter in PARAMETERS}
            response = client.get(url, query)
            assert response.status_code < 500, (name, value)
            checked += 1
        # Repeated parameters (a list where one value is expected) are refused too.
        response = client.get(url, {parameter: ["-5", "abc"] for parameter in PARAMETERS})
        assert response.status_code < 500, name
    assert checked > 300
