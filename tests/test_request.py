"""The carrier's request, step by step: validation, drafts, deposit, receipt, window."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from projects import workflow
from projects.forms import ProjectDescriptionForm
from projects.models import Project, ProjectEvent, ProjectStatus, Situation, WindowException

from .request_helpers import deposit_data, make_complete, pdf_text

pytestmark = pytest.mark.django_db


def step_url(project, slug):
    return reverse("projects:step", args=[project.pk, slug])


def test_carrier_starts_a_new_draft(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("projects:create"),
        {"campaign": loire.project.campaign.pk, "situation": "3", "title": "Premier projet"},
    )
    project = Project.objects.get(title="Premier projet")
    assert response.status_code == 302 and response["Location"] == step_url(project, "structure")
    assert project.status == ProjectStatus.DRAFT and project.carrier == loire.carrier
    assert project.events.get().action == "create"


def test_renewal_copies_last_years_project(client, loire):
    previous = make_complete(loire.project, with_documents=False)
    previous.status = ProjectStatus.APPROVED
    previous.save()
    client.force_login(loire.carrier_user)
    client.post(
        reverse("projects:create"),
        {
            "campaign": previous.campaign.pk,
            "situation": "1",
            "previous": previous.pk,
            "title": "Renouvellement",
        },
    )
    draft = Project.objects.get(title="Renouvellement")
    assert draft.previous == previous and draft.axis_children == previous.axis_children
    assert draft.collectives.count() == previous.collectives.count()
    assert draft.collectives.first().intervenants.count() == 2
    assert {(b.account, b.amount) for b in draft.budget_lines.all()} == {
        (b.account, b.amount) for b in previous.budget_lines.all()
    }


def test_continuing_convention_requires_the_project_it_covers(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("projects:create"),
        {"campaign": loire.project.campaign.pk, "situation": "2", "title": "Suite"},
    )
    assert "choisissez le projet qu" in response.content.decode()


def test_invalid_step_saves_what_is_valid(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        step_url(loire.project, "structure"),
        {
            "legal_name": "Nouveau nom",
            "siret": "123",
            "kind": "association",
            "legal_representative": "Mme Durand",
            "email": "pas-un-mail",
            "go": "next",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Le SIRET doit comporter exactement 14 chiffres" in text
    assert "Saisissez une adresse e-mail valide" in text
    assert 'value="Mme Durand"' in text
    loire.carrier.refresh_from_db()
    assert loire.carrier.legal_name == "Nouveau nom"
    assert loire.carrier.legal_representative == "Mme Durand"
    assert loire.carrier.siret != "123"


def test_autosave_with_htmx(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        step_url(loire.project, "projet"),
        {"title": loire.project.title, "axis_parents": "Goûters parents-enfants", "autosave": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Brouillon enregistré" in response.content.decode()
    loire.project.refresh_from_db()
    assert loire.project.axis_parents == "Goûters parents-enfants"


def test_draft_survives_a_new_login(client, loire):
    from .factories import PASSWORD

    client.force_login(loire.carrier_user)
    client.post(
        step_url(loire.project, "projet"),
        {"title": loire.project.title, "objectives": "Redonner confiance", "go": "next"},
    )
    client.logout()
    assert client.login(username=loire.carrier_user.email, password=PASSWORD)
    page = client.get(step_url(loire.project, "projet")).content.decode()
    assert "Redonner confiance" in page


def collective_data(**overrides):
    data = {
        "name": "Groupe A",
        "school_level": "elementaire",
        "planned_children": "10",
        "planned_weeks": "30",
        "weekdays": ["mardi", "jeudi"],
        "sessions_per_week": "2",
        "session_minutes": "90",
        "start_date": "2026-09-21",
        "end_date": "2027-06-18",
        "intervenants-TOTAL_FORMS": "2",
        "intervenants-INITIAL_FORMS": "0",
        "intervenants-MIN_NUM_FORMS": "0",
        "intervenants-MAX_NUM_FORMS": "8",
        "intervenants-0-full_name": "Inès Morel",
        "intervenants-0-qualification": "BAFA",
        "intervenants-1-full_name": "Hugo Blanc",
        "intervenants-1-qualification": "Bénévole",
    }
    data.update(overrides)
    return data


def test_collective_is_validated_in_french(client, loire):
    client.force_login(loire.carrier_user)
    url = reverse("projects:collective_create", args=[loire.project.pk])
    commune = loire.carrier.commune_id
    response = client.post(
        url,
        collective_data(
            commune=commune,
            planned_children="15",
            start_date="2026-08-15",
            session_minutes="40",
            planned_weeks="60",
            weekdays=[],
        ),
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Justifiez cet effectif" in text
    assert "La date doit être dans l&#x27;année scolaire, du 01/09/2026 au 31/08/2027" in text
    assert "La valeur doit être au plus 53" in text
    assert "Choisissez au moins un jour" in text
    assert 'value="Inès Morel"' in text
    response = client.post(url, collective_data(commune=commune))
    assert response.status_code == 302
    collective = loire.project.collectives.get(name="Groupe A")
    assert collective.intervenants.count() == 2 and collective.weekdays == ["mardi", "jeudi"]


def test_budget_step_keeps_valid_amounts(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        step_url(loire.project, "budget"),
        {"charge_64": "12 000,50", "charge_60": "abc", "subsidy_commune": "500"},
    )
    assert response.status_code == 200
    assert "Saisissez un montant en euros" in response.content.decode()
    lines = {(b.account, b.financer): b.amount for b in loire.project.budget_lines.all()}
    assert lines == {("64", ""): 12000.50, ("74", "commune"): 500}


def test_bonus_cannot_cover_more_collectives_than_the_project(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        step_url(loire.project, "bonus"),
        {
            "bonus_children_requested": "on",
            "bonus_children_collectives": "4",
            "bonus_children_equipment_cost": "0",
            "bonus_children_speakers_cost": "0",
            "bonus_children_outings_cost": "0",
            "bonus_parents_collectives": "0",
            "bonus_parents_speakers_cost": "0",
        },
    )
    assert "un bonus ne peut pas en concerner davantage" in response.content.decode()


def test_incomplete_request_is_refused_with_the_list_of_what_is_missing(client, loire):
    client.force_login(loire.carrier_user)
    page = client.get(step_url(loire.project, "recapitulatif")).content.decode()
    assert "Avant de déposer, il manque" in page and "Pièce manquante : RIB" in page
    response = client.post(reverse("projects:submit", args=[loire.project.pk]), follow=True)
    assert "La demande est incomplète" in response.content.decode()
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.DRAFT


def test_deposit_freezes_the_request_and_produces_the_receipt(
    client, loire, django_capture_on_commit_callbacks
):
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:submit", args=[loire.project.pk]), deposit_data())
    assert response.status_code == 302
    project = Project.objects.get(pk=loire.project.pk)
    assert project.status == ProjectStatus.SUBMITTED and project.submitted_by == loire.carrier_user
    receipt = client.get(reverse("projects:receipt", args=[project.pk]))
    text = pdf_text(b"".join(receipt.streaming_content))
    assert "Récépissé de dépôt" in text and project.carrier.siret in text
    assert project.title in text
    receipts = [m for m in mail.outbox if m.subject.startswith("Récépissé de dépôt")]
    assert len(receipts) == 1 and receipts[0].attachments
    assert receipts[0].to == [loire.carrier_user.email]
    # The advisor of the territory is told a request waits for review.
    to_review = [m for m in mail.outbox if m.subject.startswith("Demande déposée à instruire")]
    assert len(to_review) == 1 and loire.carrier_user.email not in to_review[0].to
    # Frozen: a step can no longer be changed.
    client.post(step_url(project, "projet"), {"title": "Autre titre", "go": "save"})
    project.refresh_from_db()
    assert project.title != "Autre titre"


def test_double_submission_submits_once(client, loire):
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    url = reverse("projects:submit", args=[loire.project.pk])
    client.post(url, deposit_data())
    second = client.post(url, deposit_data(), follow=True)
    assert "déjà déposée" in second.content.decode()
    assert ProjectEvent.objects.filter(project=loire.project, action="submit").count() == 1


def test_closed_window_refuses_and_a_reopening_allows(client, loire):
    campaign = loire.project.campaign
    campaign.opens_on = datetime.date(2026, 6, 1)
    campaign.closes_on = datetime.date(2026, 7, 1)
    campaign.save()
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    response = client.post(reverse("projects:submit", args=[loire.project.pk]), follow=True)
    assert "Hors délai, non recevable" in response.content.decode()
    assert "01/07/2026" in response.content.decode()
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("projects:campaign_edit", args=[campaign.pk]),
        {
            "form": "exception",
            "carrier": loire.carrier.pk,
            "until": "2099-01-01",
            "reason": "Courrier égaré",
        },
    )
    assert response.status_code == 302
    assert WindowException.objects.get().granted_by == loire.caf_admin
    client.force_login(loire.carrier_user)
    client.post(reverse("projects:submit", args=[loire.project.pk]), deposit_data())
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.SUBMITTED


def test_after_a_change_request_only_reopened_sections_are_editable(client, loire):
    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    workflow.fire(
        loire.project.pk,
        "request_changes",
        by=loire.advisor,
        note="Précisez l'axe parents",
        reopened_sections=["projet"],
    )
    client.force_login(loire.carrier_user)
    data = {
        k: v
        for k, v in ProjectDescriptionForm(instance=loire.project).initial.items()
        if v not in (None, False)
    }
    data.update(axis_parents="Mieux décrit", go="save")
    client.post(step_url(loire.project, "projet"), data)
    client.post(
        step_url(loire.project, "structure"),
        {"legal_name": "Changé", "siret": loire.carrier.siret, "kind": "association", "go": "save"},
    )
    loire.project.refresh_from_db()
    loire.carrier.refresh_from_db()
    assert loire.project.axis_parents == "Mieux décrit"
    assert loire.carrier.legal_name != "Changé"
    client.post(reverse("projects:submit", args=[loire.project.pk]), deposit_data())
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.SUBMITTED and loire.project.reopened_sections == []


def test_continuing_convention_flags_changes_for_the_caf(loire):
    previous = make_complete(loire.project, with_documents=False)
    from projects.services import create_draft

    draft = create_draft(
        carrier=loire.carrier,
        campaign=previous.campaign,
        situation=Situation.CONTINUING,
        title="Année 2",
        previous=previous,
        by=loire.carrier_user,
    )
    collective = draft.collectives.get()
    collective.planned_children = 11
    collective.planned_weeks = 28
    collective.save()
    make_complete(draft)
    project = workflow.submit(draft.pk, by=loire.carrier_user)
    assert "Enfants prévus : 10 → 11" in project.changes_to_validate
    assert any(c.startswith("Semaines d'activité") for c in project.changes_to_validate)


@pytest.mark.parametrize("name", ["step", "collective_create", "submit", "receipt"])
def test_other_carriers_and_other_caf_get_404(client, loire, vosges, name):
    args = [loire.project.pk, "projet"] if name == "step" else [loire.project.pk]
    url = reverse(f"projects:{name}", args=args)
    for user in (loire.other_carrier_user, vosges.carrier_user, vosges.advisor):
        client.force_login(user)
        response = client.post(url) if name == "submit" else client.get(url)
        assert response.status_code == 404, (user, url)


def test_staff_see_but_cannot_edit_the_request(client, loire):
    client.force_login(loire.advisor)
    assert client.get(step_url(loire.project, "projet")).status_code == 403
    assert client.get(reverse("projects:detail", args=[loire.project.pk])).status_code == 200


def test_messages_between_carrier_and_caf(
    client, loire, vosges, django_capture_on_commit_callbacks
):
    url = reverse("projects:message_post", args=[loire.project.pk])
    client.force_login(loire.carrier_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"body": "Pouvez-vous confirmer la date du comité ?"})
    assert mail.outbox[-1].to == [loire.advisor.email]
    client.force_login(loire.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"body": "Le comité se réunit en octobre."})
    assert mail.outbox[-1].to == [loire.carrier_user.email]
    page = client.get(reverse("projects:detail", args=[loire.project.pk])).content.decode()
    assert "Le comité se réunit en octobre." in page and loire.advisor.email not in page
    client.force_login(loire.other_carrier_user)
    assert client.post(url, {"body": "intrus"}).status_code == 404
    client.force_login(vosges.advisor)
    assert client.post(url, {"body": "intrus"}).status_code == 404


@pytest.mark.parametrize("situation", [1, 2, 3])
def test_every_step_renders_in_each_situation(client, loire, situation):
    from projects.steps import steps_for

    loire.project.situation = situation
    loire.project.save()
    client.force_login(loire.carrier_user)
    slugs = [s.slug for s in steps_for(loire.project)]
    assert ("projet" in slugs) == (situation != Situation.CONTINUING)
    for slug in slugs:
        response = client.get(step_url(loire.project, slug))
        assert response.status_code == 200, slug
        assert "<label" in response.content.decode() or slug in ("collectifs", "recapitulatif")
    collective = loire.project.collectives.first()
    url = reverse("projects:collective_edit", args=[loire.project.pk, collective.pk])
    assert client.get(url).status_code == 200
