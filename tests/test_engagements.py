"""Engagements at deposit: the legal representative ticks each attestation the Caf asks for
(its policy, the national list by default); the deposit stores the texts as they were, who
ticked them and when, and the receipt prints them."""

import pytest
from django.urls import reverse

from funding.models import CafPolicy
from projects.models import ProjectStatus

from .request_helpers import deposit_data, make_complete, pdf_text

pytestmark = pytest.mark.django_db


def test_deposit_needs_every_attestation_and_prints_them(
    client, loire, django_capture_on_commit_callbacks
):
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    url = reverse("projects:submit", args=[loire.project.pk])
    recap = client.get(
        reverse("projects:step", args=[loire.project.pk, "recapitulatif"])
    ).content.decode()
    assert "Engagements demandés par votre Caf" in recap and "charte de la laïcité" in recap

    missing_one = deposit_data()
    del missing_one["engagement_2"]
    page = client.post(url, missing_one, follow=True).content.decode()
    assert "cochez-les tous" in page
    nameless = {**deposit_data(), "engaged_as": "  "}
    page = client.post(url, nameless, follow=True).content.decode()
    assert "au nom de qui" in page
    loire.project.refresh_from_db()
    assert loire.project.status == ProjectStatus.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, deposit_data(signatory="Mme Dupont, présidente"))
    project = loire.project
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert project.engagements == CafPolicy.of(loire.caf).engagement_list
    assert project.engaged_by == loire.carrier_user and project.engaged_at is not None
    assert project.engaged_as == "Mme Dupont, présidente"
    receipt = client.get(reverse("projects:receipt", args=[project.pk]))
    text = " ".join(pdf_text(b"".join(receipt.streaming_content)).split())
    assert "Engagements attestés au dépôt" in text
    assert "Attestés au nom de Mme Dupont, présidente" in text
    assert "charte de la laïcité" in text


def test_the_caf_sets_its_own_list_and_earlier_deposits_keep_theirs(client, loire):
    policy = CafPolicy.of(loire.caf)
    policy.deposit_engagements = "Nous affichons le soutien de la Caf.\n\nNous tenons un registre."
    policy.save()
    make_complete(loire.project)
    client.force_login(loire.carrier_user)
    data = {"engagement_0": "1", "engagement_1": "1", "engaged_as": "Le maire", "confirm": "1"}
    client.post(reverse("projects:submit", args=[loire.project.pk]), data)
    loire.project.refresh_from_db()
    assert loire.project.engagements == [
        "Nous affichons le soutien de la Caf.",
        "Nous tenons un registre.",
    ]
    policy.deposit_engagements = "Autre chose."
    policy.save()
    loire.project.refresh_from_db()
    assert len(loire.project.engagements) == 2
