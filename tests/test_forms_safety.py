"""No GET changes anything and every POST form carries its CSRF token, on every URL of the
authorization matrix, with its real objects."""

import pytest
from django.urls import reverse

from .test_authorization_matrix import MATRIX, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_get_never_changes_anything(client, world, loire):  # noqa: F811
    """Every action URL refuses GET (405), so no link or prefetch can change data."""
    kwargs, _ = world
    client.force_login(loire.carrier_user)
    for name, (method, _expected) in MATRIX.items():
        if method != "POST" or name == "logout":
            continue
        response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
        assert response.status_code in (405, 404, 403), name
        if response.status_code != 405:
            client.force_login(loire.caf_admin)
            response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
            client.force_login(loire.carrier_user)
        assert response.status_code in (405, 404, 403), name


def test_every_post_form_carries_a_csrf_token(client, world, loire):  # noqa: F811
    kwargs, _ = world
    seen = 0
    for user in (
        loire.carrier_user,
        loire.advisor,
        loire.committee,
        loire.caf_admin,
        loire.processor,
    ):
        client.force_login(user)
        for name, (method, _expected) in MATRIX.items():
            if method != "GET" or name in (
                "projects:receipt",
                "projects:attachment",
                "declarations:document",
                "committee:export_download",
                "audit_export_download",
                "declarations:payment_export_download",
            ):
                continue
            response = client.get(reverse(name, kwargs=kwargs.get(name, {})))
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            forms = html.count('method="post"')
            assert html.count("csrfmiddlewaretoken") >= forms, (name, user.role)
            seen += forms
    assert seen > 20
