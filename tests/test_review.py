"""The advisor's review: roles and statuses of every transition, bonuses, notes, 404 across Caf."""

import pytest
from django.core import mail
from django.urls import reverse

from committee.models import ReviewNote
from projects import workflow
from projects.models import ProjectEvent, ProjectMessage, ProjectStatus

from .request_helpers import make_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(loire):
    make_complete(loire.project)
    loire.project.bonus_children_requested = True
    loire.project.bonus_children_collectives = 1
    loire.project.bonus_children_project = "Fil rouge"
    loire.project.bonus_children_outings_cost = 500
    loire.project.save()
    return workflow.submit(loire.project.pk, by=loire.carrier_user)


def post(client, user, name, project, data=None):
    client.force_login(user)
    return client.post(reverse(f"committee:{name}", args=[project.pk]), data or {}, follow=True)


def test_queue_lists_the_caf_projects_with_counts_and_filters(client, loire, vosges, submitted):
    client.force_login(loire.advisor)
    page = client.get(reverse("committee:queue")).content.decode()
    assert submitted.title in page and vosges.project.title not in page
    page = client.get(reverse("committee:queue"), {"bonus": "children"}).content.decode()
    assert submitted.title in page
    page = client.get(reverse("committee:queue"), {"status": "approved"}).content.decode()
    assert submitted.title not in page


def test_full_review_path(client, loire, submitted, django_capture_on_commit_callbacks):
    response = post(client, loire.advisor, "review_start", submitted)
    assert "Instruction commencée" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            loire.advisor,
            "review_request_changes",
            submitted,
            {"sections": ["projet"], "message": "Précisez l'axe école."},
        )
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.CHANGES_REQUESTED
    assert submitted.reopened_sections == ["projet"]
    assert mail.outbox[-1].to == [loire.carrier_user.email]
    assert ProjectMessage.objects.filter(project=submitted, from_caf=True).exists()
    # the carrier answers and deposits again
    workflow.submit(submitted.pk, by=loire.carrier_user)
    response = post(
        client,
        loire.advisor,
        "review_bonus",
        submitted,
        {"which": "children", "granted": "1", "reason": "Fil rouge solide"},
    )
    submitted.refresh_from_db()
    assert submitted.bonus_children_granted
    event = ProjectEvent.objects.filter(project=submitted, action="grant_bonus").get()
    assert event.actor == loire.advisor and event.data == {
        "field": "bonus_children_granted",
        "before": False,
        "after": True,
    }
    post(
        client,
        loire.advisor,
        "review_propose",
        submitted,
        {"favourable": "1", "collectives": "1", "reason": "Projet solide"},
    )
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.PROPOSED and submitted.proposed_collectives == 1
    transitions = list(
        ProjectEvent.objects.filter(project=submitted)
        .order_by("created_at", "id")
        .values_list("action", "from_status", "to_status")
    )
    assert ("request_changes", "under_review", "changes_requested") in transitions
    assert ("propose", "submitted", "proposed") in transitions


def test_propose_is_validated(client, loire, submitted):
    response = post(
        client, loire.advisor, "review_propose", submitted, {"favourable": "0", "reason": ""}
    )
    assert "Un avis défavorable doit être motivé" in response.content.decode()
    response = post(
        client, loire.advisor, "review_propose", submitted, {"favourable": "1", "collectives": "5"}
    )
    assert "on ne peut pas en retenir davantage" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.SUBMITTED


def test_bonus_needs_a_reason_and_a_request(client, loire, submitted):
    response = post(
        client,
        loire.advisor,
        "review_bonus",
        submitted,
        {"which": "children", "granted": "1", "reason": ""},
    )
    assert "Indiquez le motif" in response.content.decode()
    response = post(
        client,
        loire.advisor,
        "review_bonus",
        submitted,
        {"which": "parents", "granted": "1", "reason": "Pourquoi pas"},
    )
    assert "n&#x27;a pas demandé ce bonus" in response.content.decode()
    submitted.refresh_from_db()
    assert not submitted.bonus_children_granted and not submitted.bonus_parents_granted


@pytest.mark.parametrize("attr", ["processor", "committee", "caf_admin", "carrier_user"])
def test_only_the_advisor_reviews(client, loire, submitted, attr):
    client.force_login(getattr(loire, attr))
    for name in ("review_start", "review_propose", "review_bonus", "review_request_changes"):
        response = client.post(
            reverse(f"committee:{name}", args=[submitted.pk]),
            {"favourable": "1", "collectives": "1"},
        )
        assert response.status_code == 403, name
    submitted.refresh_from_db()
    assert submitted.status == ProjectStatus.SUBMITTED


def test_transitions_refused_from_the_wrong_status(loire):
    # a draft cannot be reviewed, a submitted project cannot be approved by the committee
    with pytest.raises(workflow.TransitionError):
        workflow.fire(loire.project.pk, "start_review", by=loire.advisor)
    with pytest.raises(workflow.TransitionError):
        workflow.fire(loire.project.pk, "approve", by=loire.committee)
    with pytest.raises(workflow.TransitionError):
        workflow.fire(loire.project.pk, "submit", by=loire.advisor)


def test_every_transition_declares_its_permission_and_sources():
    import rules

    for name, transition in workflow.TRANSITIONS.items():
        assert rules.perm_exists(transition.permission) and transition.sources, name
        assert transition.target not in transition.sources, name


def test_notes_are_private_to_caf_staff(client, loire, submitted):
    post(client, loire.processor, "review_note", submitted, {"body": "Vérifier le RIB"})
    assert ReviewNote.objects.get().author == loire.processor
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[submitted.pk])).content.decode()
    assert "Vérifier le RIB" not in page
    assert client.get(reverse("committee:review", args=[submitted.pk])).status_code == 403


def test_other_financer_decision_is_recorded(client, loire, vosges, submitted):
    from committee.models import PartnerOrganisation

    cd = PartnerOrganisation.objects.create(
        caf=loire.caf, kind="departement", name="Conseil départemental"
    )
    elsewhere = PartnerOrganisation.objects.create(caf=vosges.caf, kind="msa", name="MSA Lorraine")
    # Another Caf's partner is not a choice: refused next to the field, nothing recorded.
    response = post(
        client,
        loire.advisor,
        "review_other_financer",
        submitted,
        {"financer": str(elsewhere.pk), "amount": "1 500,00"},
    )
    assert "Choisissez un financeur de la liste." in response.content.decode()
    assert not submitted.financer_decisions.exists()
    post(
        client,
        loire.advisor,
        "review_other_financer",
        submitted,
        {"financer": str(cd.pk), "amount": "1 500,00", "note": "bonus TNE"},
    )
    other = submitted.financer_decisions.get()
    assert other.amount == 1500 and other.recorded_by == loire.advisor
    assert other.partner == cd and other.outcome == "granted"
    page = client.get(reverse("committee:review", args=[submitted.pk])).content.decode()
    assert "Conseil départemental" in page and "1\u202f500,00\u00a0€" in page


def test_review_pages_are_404_across_caf(client, loire, vosges, submitted):
    for user in (vosges.advisor, vosges.caf_admin, vosges.committee):
        client.force_login(user)
        assert client.get(reverse("committee:review", args=[submitted.pk])).status_code == 404
        for name in ("review_start", "review_propose", "review_note", "review_bonus"):
            assert client.post(reverse(f"committee:{name}", args=[submitted.pk])).status_code == 404


def test_review_actions_are_post_only(client, loire, submitted):
    client.force_login(loire.advisor)
    for name in (
        "review_start",
        "review_propose",
        "review_bonus",
        "review_request_changes",
        "review_note",
        "review_other_financer",
    ):
        assert client.get(reverse(f"committee:{name}", args=[submitted.pk])).status_code == 405


def test_queue_counts_projects_not_rows(client, loire, submitted):
    from .factories import CollectiveFactory

    CollectiveFactory(project=submitted)
    CollectiveFactory(project=submitted)
    client.force_login(loire.advisor)
    response = client.get(reverse("committee:queue"))
    counts = {status: n for status, _label, n in response.context["counts"]}
    assert counts["submitted"] == 1
