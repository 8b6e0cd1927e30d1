"""A closed campaign is archived by its Caf administrator after a confirmation: from then on
nothing in it changes, its files leave the working lists, and choosing the campaign in the
filter still finds them."""

import datetime

import pytest
from django.urls import reverse

from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import Campaign, ProjectStatus
from projects.steps import is_open_for_carrier

from .factories import CampaignFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(loire):
    campaign = CampaignFactory(
        caf=loire.caf,
        year=2024,
        opens_on=datetime.date(2024, 6, 1),
        closes_on=datetime.date(2024, 7, 31),
    )
    old = ProjectFactory(
        carrier=loire.carrier,
        campaign=campaign,
        status=ProjectStatus.APPROVED,
        title="Ancien projet 2024",
    )
    draft = ProjectFactory(carrier=loire.carrier, campaign=campaign, title="Brouillon 2024")
    return campaign, old, draft


def test_archive_asks_then_freezes_the_campaign(client, loire, closed):
    campaign, old, draft = closed
    url = reverse("projects:campaign_archive", args=[campaign.pk])
    client.force_login(loire.caf_admin)
    # The open campaign cannot be archived.
    page = client.post(
        reverse("projects:campaign_archive", args=[loire.project.campaign.pk]), follow=True
    ).content.decode()
    assert (
        "une campagne s&#x27;archive une fois close" in page or "s'archive une fois close" in page
    )
    # A request still in review holds it back.
    ProjectFactory(carrier=loire.other_carrier, campaign=campaign, status=ProjectStatus.SUBMITTED)
    page = client.post(url, follow=True).content.decode()
    assert "1 demande est encore en instruction" in page
    campaign.projects.filter(status=ProjectStatus.SUBMITTED).update(status=ProjectStatus.REFUSED)

    confirm = client.post(url).content.decode()
    assert "Archiver la campagne 2024/2025 ?" in confirm
    campaign.refresh_from_db()
    assert campaign.archived_at is None
    client.post(url, {"confirm": "1"})
    campaign.refresh_from_db()
    assert campaign.archived_at is not None and campaign.archived_by == loire.caf_admin
    assert campaign.history.first().history_change_reason == "Campagne archivée"

    # Nothing changes any more: no transition, no edit of the draft.
    with pytest.raises(TransitionError, match="2024/2025 est archivée"):
        workflow.PROJECT.fire(old.pk, "revise_decision", by=loire.committee)
    client.force_login(loire.carrier_user)
    client.post(
        reverse("projects:step", args=[draft.pk, "projet"]),
        {"title": "Changé après l'archivage", "action": "save"},
    )
    draft.refresh_from_db()
    assert draft.title == "Brouillon 2024"
    assert not is_open_for_carrier(draft)

    # Out of the working list, found by choosing the campaign.
    client.force_login(loire.advisor)
    listing = client.get(reverse("projects:list")).content.decode()
    assert "Ancien projet 2024" not in listing and loire.project.title in listing
    chosen = client.get(reverse("projects:list"), {"campaign": campaign.pk}).content.decode()
    assert "Ancien projet 2024" in chosen
    queue = client.get(reverse("committee:queue")).context
    assert queue["campaign"] != campaign


def test_only_the_caf_administrator_archives(client, loire, vosges, closed):
    campaign, _, _ = closed
    url = reverse("projects:campaign_archive", args=[campaign.pk])
    for person, expected in ((loire.advisor, 403), (vosges.caf_admin, 404)):
        client.force_login(person)
        assert client.post(url, {"confirm": "1"}).status_code == expected
    assert Campaign.objects.get(pk=campaign.pk).archived_at is None
