"""A Caf runs its year from the screens: it creates a campaign, copies last year's (dates a year
later, documents, committee calendar, priorities), asks documents per campaign, shows its
priorities to carriers and can accept renewals only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.models import AgendaItem, CommitteeSession
from projects import workflow
from projects.completeness import missing_items, required_documents
from projects.forms import AttachmentForm
from projects.models import Campaign, DocumentType, Project, ProjectStatus

from .factories import CampaignFactory, CollectiveFactory, ProjectFactory
from .request_helpers import make_complete

pytestmark = pytest.mark.django_db

D = datetime.date


def campaign_data(**changes):
    data = {
        "year": "2027",
        "opens_on": "2027-06-15",
        "closes_on": "2027-07-31",
        "forecast_due_on": "2027-10-31",
        "actual_due_on": "2028-09-30",
        "priorities": "Priorité aux collèges des quartiers prioritaires.",
        "renewals_only": "",
    }
    data.update(changes)
    return data


def test_caf_admin_creates_a_campaign(client, loire):
    client.force_login(loire.caf_admin)
    assert client.get(reverse("projects:campaign_create")).status_code == 200
    response = client.post(reverse("projects:campaign_create"), campaign_data())
    campaign = Campaign.objects.get(caf=loire.caf, year=2027)
    assert response["Location"] == reverse("projects:campaign_edit", args=[campaign.pk])
    assert campaign.closes_on == D(2027, 7, 31) and campaign.forecast_due_on == D(2027, 10, 31)
    assert campaign.priorities.startswith("Priorité aux collèges")
    assert campaign.history.get().history_user == loire.caf_admin


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"year": "2026"}, "La campagne 2026/2027 existe déjà pour votre Caf"),
        ({"closes_on": "2027-06-01"}, "La clôture du dépôt ne peut pas précéder son ouverture."),
        ({"forecast_due_on": "2027-07-01"}, "ne peuvent pas être attendues avant la clôture"),
        ({"actual_due_on": "2027-09-30"}, "avant les prévisionnelles"),
        ({"opens_on": "31/02/2027"}, "Saisissez une date valide."),
    ],
)
def test_incoherent_campaigns_are_refused_in_french(client, loire, changes, message):
    client.force_login(loire.caf_admin)
    response = client.post(reverse("projects:campaign_create"), campaign_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert "Priorité aux collèges" in page  # the other entries are kept
    assert not Campaign.objects.filter(caf=loire.caf, year=2027).exists()


def test_editing_keeps_the_year_and_checks_the_dates(client, loire):
    campaign = loire.project.campaign
    client.force_login(loire.caf_admin)
    url = reverse("projects:campaign_edit", args=[campaign.pk])
    data = campaign_data(
        form="window", year="2030", opens_on="2026-06-01", closes_on="2026-07-15", priorities="X"
    )
    client.post(url, {**data, "renewals_only": "on", "forecast_due_on": "", "actual_due_on": ""})
    campaign.refresh_from_db()
    assert campaign.year == 2026 and campaign.closes_on == D(2026, 7, 15)
    assert campaign.renewals_only and campaign.priorities == "X"
    response = client.post(url, {**data, "closes_on": "2026-05-01"})
    assert "ne peut pas précéder son ouverture" in response.content.decode()


@pytest.fixture
def last_year(loire):
    """Loire's 2026 campaign with a leap-day date, its own documents and committee calendar."""
    campaign = loire.project.campaign
    campaign.opens_on = D(2026, 6, 15)
    campaign.closes_on = D(2026, 7, 31)
    campaign.forecast_due_on = D(2026, 11, 30)
    campaign.actual_due_on = D(2028, 2, 29)
    campaign.priorities = "Accueillir des collégiens en milieu rural."
    campaign.save()
    DocumentType.objects.create(
        caf=loire.caf, campaign=campaign, name="Attestation CTG 2026", situations=[3]
    )
    session = CommitteeSession.objects.create(
        caf=loire.caf, campaign=campaign, date=D(2026, 10, 14), place="Caf de Saint-Étienne"
    )
    session.members.add(loire.committee)
    AgendaItem.objects.create(session=session, project=loire.project)
    CommitteeSession.objects.create(
        caf=loire.caf, campaign=campaign, date=D(2027, 2, 10), place="Roanne"
    )
    return campaign


def test_copy_moves_every_date_a_year_and_brings_documents_and_calendar(client, loire, last_year):
    client.force_login(loire.caf_admin)
    response = client.post(reverse("projects:campaign_copy", args=[last_year.pk]))
    new = Campaign.objects.get(caf=loire.caf, year=2027)
    assert response["Location"] == reverse("projects:campaign_edit", args=[new.pk])
    assert (new.opens_on, new.closes_on, new.forecast_due_on, new.actual_due_on) == (
        D(2027, 6, 15),
        D(2027, 7, 31),
        D(2027, 11, 30),
        D(2029, 2, 28),  # no 29 February in 2029
    )
    assert new.copied_from == last_year and new.priorities == last_year.priorities
    history = new.history.get()
    assert history.history_user == loire.caf_admin
    assert history.history_change_reason == "Copie de la campagne 2026/2027"
    # The campaign's own document is duplicated; the shared RIB stays one row for every year.
    own = new.document_types.get()
    assert (own.name, own.situations, own.caf) == ("Attestation CTG 2026", [3], loire.caf)
    assert last_year.document_types.count() == 1
    assert DocumentType.objects.filter(caf=loire.caf, campaign=None).count() == 1
    # The committee calendar: planned sessions a year later, empty agendas, nobody appointed.
    sessions = list(new.sessions.order_by("date"))
    assert [(s.date, s.place) for s in sessions] == [
        (D(2027, 10, 14), "Caf de Saint-Étienne"),
        (D(2028, 2, 10), "Roanne"),
    ]
    assert all(s.is_open and not s.items.exists() and not s.members.exists() for s in sessions)
    assert sessions[0].created_by == loire.caf_admin
    assert last_year.sessions.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Copiée de la campagne 2026/2027" in page


def test_a_year_is_copied_once(client, loire, last_year):
    client.force_login(loire.caf_admin)
    client.post(reverse("projects:campaign_copy", args=[last_year.pk]))
    response = client.post(reverse("projects:campaign_copy", args=[last_year.pk]), follow=True)
    assert "La campagne 2027/2028 existe déjà pour la Caf Loire" in response.content.decode()
    assert Campaign.objects.filter(caf=loire.caf, year=2027).count() == 1
    assert CommitteeSession.objects.filter(campaign__year=2027).count() == 2


def test_another_caf_cannot_copy_a_campaign(client, loire, vosges):
    client.force_login(vosges.caf_admin)
    response = client.post(reverse("projects:campaign_copy", args=[loire.project.campaign.pk]))
    assert response.status_code == 404
    assert not Campaign.objects.filter(year=2027).exists()


def test_documents_are_asked_per_campaign_and_situation(client, loire, vosges):
    campaign = loire.project.campaign
    older = CampaignFactory(caf=loire.caf, year=2025)
    DocumentType.objects.create(caf=loire.caf, campaign=older, name="Bilan 2024-2025")
    client.force_login(loire.caf_admin)
    client.post(
        reverse("projects:document_type_add"),
        {"name": "Attestation 2026", "campaign": campaign.pk, "is_required": "on", "position": 0},
    )
    client.post(
        reverse("projects:document_type_add"),
        {"name": "Statuts", "situations": ["3"], "is_required": "on", "position": 0},
    )
    assert DocumentType.objects.get(name="Attestation 2026").campaign == campaign
    assert DocumentType.objects.get(name="Statuts").campaign is None
    # A campaign of another Caf is not a choice.
    client.post(
        reverse("projects:document_type_add"),
        {"name": "Intrus", "campaign": vosges.project.campaign.pk, "position": 0},
    )
    assert not DocumentType.objects.filter(name="Intrus").exists()

    project = loire.project  # situation 1: the statutes are for new carriers only
    names = {d.name for d in required_documents(project)}
    assert names == {"RIB de la structure", "Attestation 2026"}
    missing = [m.message for m in missing_items(project)]
    assert "Pièce manquante : Attestation 2026." in missing
    assert not any("Bilan 2024-2025" in m for m in missing)
    choices = {d.name for d in AttachmentForm(project=project).fields["document_type"].queryset}
    assert choices == {"RIB de la structure", "Attestation 2026", "Statuts"}
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:step", args=[project.pk, "pieces"])).content.decode()
    assert "Attestation 2026" in page and "Bilan 2024-2025" not in page


def test_required_documents_cost_the_same_queries_however_many(loire, vosges):
    del vosges  # a second Caf with its own documents, never read
    project = Project.objects.select_related("campaign__caf").get(pk=loire.project.pk)

    def queries():
        with CaptureQueriesContext(connection) as context:
            required_documents(project)
        return len(context)

    few = queries()
    for n in range(8):
        DocumentType.objects.create(caf=loire.caf, campaign=project.campaign, name=f"Pièce {n}")
    assert queries() == few == 1


def test_priorities_are_shown_to_carriers(client, loire):
    campaign = loire.project.campaign
    campaign.priorities = "Cette année : priorité aux collégiens."
    campaign.save()
    client.force_login(loire.carrier_user)
    for url in (
        reverse("home"),
        reverse("projects:create"),
        reverse("projects:step", args=[loire.project.pk, "structure"]),
    ):
        page = client.get(url).content.decode()
        assert "Cette année : priorité aux collégiens." in page, url
        assert "ce que votre Caf attend cette année" in page


@pytest.fixture
def renewals_only(loire):
    """2026 accepts renewals only; Loire's carrier had one collective agreed in 2025."""
    older = CampaignFactory(
        caf=loire.caf, year=2025, opens_on=D(2025, 6, 1), closes_on=D(2025, 7, 31)
    )
    approved = ProjectFactory(
        carrier=loire.carrier,
        campaign=older,
        status=ProjectStatus.APPROVED,
        agreed_collectives=1,
    )
    CollectiveFactory(project=approved)
    CollectiveFactory(project=approved)  # two asked, one agreed
    campaign = loire.project.campaign
    campaign.renewals_only = True
    campaign.save()
    return approved


def test_renewals_only_refuses_a_carrier_without_an_approved_project(client, loire, renewals_only):
    client.force_login(loire.other_carrier_user)
    for situation in ("1", "3"):
        response = client.post(
            reverse("projects:create"),
            {"campaign": loire.project.campaign.pk, "situation": situation, "title": "Nouveau"},
        )
        page = response.content.decode().replace("&#x27;", "'")
        assert "La campagne 2026/2027 n'accepte que les renouvellements" in page
    assert not Project.objects.filter(title="Nouveau").exists()
    # Even the carrier with an approved past is no new carrier this year.
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("projects:create"),
        {"campaign": loire.project.campaign.pk, "situation": "3", "title": "Nouveau"},
    )
    assert "pas de nouveau porteur cette année" in response.content.decode()
    response = client.post(
        reverse("projects:create"),
        {
            "campaign": loire.project.campaign.pk,
            "situation": "1",
            "previous": renewals_only.pk,
            "title": "Renouvellement",
        },
    )
    assert response.status_code == 302
    assert Project.objects.filter(title="Renouvellement").exists()


def test_renewals_only_refuses_more_collectives_at_deposit(loire, renewals_only):
    project = make_complete(loire.project)
    project.previous = renewals_only
    project.save()
    CollectiveFactory(project=project)
    make_complete(project)
    rule = "n'accepte que les renouvellements sans collectif supplémentaire"
    messages = [m.message for m in missing_items(project)]
    assert any(rule in m and "avait 1 collectif agréé" in m for m in messages), messages
    with pytest.raises(workflow.TransitionError) as refused:
        workflow.submit(project.pk, by=loire.carrier_user)
    assert any(rule in item.message for item in refused.value.items)
    project.collectives.last().delete()
    assert not any(rule in m.message for m in missing_items(project))
    project = workflow.submit(project.pk, by=loire.carrier_user)
    assert project.status == ProjectStatus.SUBMITTED


def test_renewals_only_refused_at_deposit_for_a_carrier_without_past(loire, renewals_only):
    project = make_complete(loire.other_project)
    messages = [m.message for m in missing_items(project)]
    assert any("n'a pas de projet agréé lors d'une campagne précédente" in m for m in messages)
