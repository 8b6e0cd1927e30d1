"""A carrier sees only its carrier, staff only their Caf: another's object is a 404, never a 403."""

import pytest
from django.urls import reverse

from clasportal.models import Role
from projects.models import Carrier, Project

pytestmark = pytest.mark.django_db


def object_urls(world):
    return [
        reverse("projects:detail", args=[world.project.pk]),
        reverse("projects:carrier_detail", args=[world.carrier.pk]),
    ]


def get_as(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_carrier_user_sees_own_objects(client, loire):
    for url in object_urls(loire):
        assert get_as(client, loire.carrier_user, url).status_code == 200


def test_other_carrier_of_same_caf_gets_404(client, loire):
    for url in object_urls(loire):
        assert get_as(client, loire.other_carrier_user, url).status_code == 404


@pytest.mark.parametrize("attr", ["carrier_user", "advisor", "processor", "committee", "caf_admin"])
def test_every_role_of_another_caf_gets_404(client, loire, vosges, attr):
    for url in object_urls(loire):
        assert get_as(client, getattr(vosges, attr), url).status_code == 404


@pytest.mark.parametrize("attr", ["advisor", "processor", "committee", "caf_admin"])
def test_staff_of_the_same_caf_see_the_project(client, loire, attr):
    for url in object_urls(loire):
        assert get_as(client, getattr(loire, attr), url).status_code == 200


def test_national_admin_sees_no_project(client, loire, national_admin):
    for url in object_urls(loire):
        assert get_as(client, national_admin, url).status_code == 404


def test_anonymous_is_sent_to_login(client, loire):
    for url in object_urls(loire) + [reverse("home"), reverse("projects:list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_lists_are_scoped(client, loire, vosges):
    client.force_login(loire.carrier_user)
    body = client.get(reverse("projects:list")).content.decode()
    assert loire.project.title in body
    assert loire.other_project.title not in body
    assert vosges.project.title not in body

    client.force_login(vosges.advisor)
    body = client.get(reverse("projects:list")).content.decode()
    assert vosges.project.title in body and vosges.other_project.title in body
    assert loire.project.title not in body

    body = client.get(reverse("projects:carrier_list")).content.decode()
    assert vosges.carrier.legal_name in body
    assert loire.carrier.legal_name not in body


def test_querysets_are_scoped(loire, vosges, national_admin):
    assert set(Project.objects.visible_to(loire.carrier_user)) == {loire.project}
    assert set(Project.objects.visible_to(loire.committee)) == {loire.project, loire.other_project}
    assert not Project.objects.visible_to(national_admin).exists()
    assert set(Carrier.objects.visible_to(vosges.processor)) == {
        vosges.carrier,
        vosges.other_carrier,
    }


def test_advisor_sees_own_territories_first(loire):
    from .factories import CommuneFactory, ProjectFactory, TerritoryFactory

    elsewhere = CommuneFactory(territory=TerritoryFactory(caf=loire.caf))
    outside = ProjectFactory(
        carrier__commune=elsewhere, campaign=loire.project.campaign, title="AAA hors territoire"
    )
    ordered = list(Project.objects.visible_to(loire.advisor).territories_first(loire.advisor))
    assert ordered[-1] == outside
    assert loire.advisor.role == Role.ADVISOR


def test_invite_is_post_only_and_scoped(client, loire, vosges):
    url = reverse("projects:carrier_invite", args=[loire.carrier.pk])
    client.force_login(loire.carrier_user)
    assert client.get(url).status_code == 405
    client.force_login(vosges.carrier_user)
    assert client.post(url, {"email": "x@exemple.fr"}).status_code == 404
    client.force_login(loire.other_carrier_user)
    assert client.post(url, {"email": "x@exemple.fr"}).status_code == 404
    client.force_login(loire.advisor)  # staff sees the carrier but may not add its members
    assert client.post(url, {"email": "x@exemple.fr"}).status_code == 403
