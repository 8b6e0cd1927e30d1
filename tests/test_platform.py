"""Health check, French error pages, SIRET validation, query counts of the lists."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.validators import validate_siret

from .factories import CollectiveFactory, ProjectFactory


@pytest.mark.django_db
def test_healthz_reports_database_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_redis_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"].startswith("indisponible")


@pytest.mark.django_db
def test_404_page_is_french(client, loire):
    client.force_login(loire.carrier_user)
    response = client.get("/projets/999999/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.parametrize("siret", ["73282932000074", "35600000000048", "356 000 000 00048"])
def test_valid_sirets(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    "siret, code",
    [
        ("7328293200007", "siret_format"),
        ("7328293200007A", "siret_format"),
        ("73282932000075", "siret_checksum"),
    ],
)
def test_invalid_sirets(siret, code):
    with pytest.raises(ValidationError) as exc:
        validate_siret(siret)
    assert exc.value.code == code


def _project_list_queries(client, user, django_assert_num_queries, expected):
    client.force_login(user)
    client.get(reverse("projects:list"))  # warm the session
    with django_assert_num_queries(expected):
        response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("attr", ["carrier_user", "advisor"])
def test_project_list_query_count_does_not_grow(client, loire, django_assert_num_queries, attr):
    user = getattr(loire, attr)
    client.force_login(user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("projects:list"))  # warm the cache (the unread-notices badge)
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse("projects:list"))
    for _ in range(49):
        project = ProjectFactory(carrier=loire.carrier, campaign=loire.project.campaign)
        CollectiveFactory(project=project)
    response = _project_list_queries(
        client, user, django_assert_num_queries, len(one_row.captured_queries)
    )
    assert response.context["table"].page.paginator.count == 50 + (attr == "advisor")


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow(client, loire, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for user in (loire.carrier_user, loire.advisor):
        client.force_login(user)
        client.get(reverse("home"))  # warm the cache (the unread-notices badge)
        with CaptureQueriesContext(connection) as before:
            client.get(reverse("home"))
        for _ in range(20):
            ProjectFactory(carrier=loire.carrier, campaign=loire.project.campaign)
        with django_assert_num_queries(len(before.captured_queries)):
            assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("siret", ["¹²³⁴⁵⁶⁷⁸⁹⁰¹²³⁴", "１２３４５６７８９０１２３４"])
def test_non_ascii_digits_are_not_a_siret(siret):
    with pytest.raises(ValidationError) as exc:
        validate_siret(siret)
    assert exc.value.code == "siret_format"


@pytest.mark.django_db
def test_annotated_lists_keep_their_order(loire):
    """Django drops Meta.ordering from GROUP BY queries; lists must still page stably."""
    from projects.models import Project

    for title in ("Zèbre", "Abeille", "Mésange"):
        ProjectFactory(carrier=loire.carrier, campaign=loire.project.campaign, title=title)
    titles = [p.title for p in Project.objects.visible_to(loire.carrier_user).for_list()]
    assert titles == sorted(titles)
    assert "ORDER BY" in str(Project.objects.all().for_list().query)
