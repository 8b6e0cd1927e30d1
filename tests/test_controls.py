"""Controls and visits (issue 17): the Caf records a visit against its own checklist, the carrier
reads its results and follow-up (never the internal note nor an unshared comment), a failed
control leads to a consequence that is traced, and the campaign's list filters in a constant
number of queries."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations import controls
from declarations.errors import DeclarationError
from declarations.models import Control, ControlChecklistItem
from declarations.models.controls import DEFAULT_CHECKLIST
from projects.models import ProjectEvent

from .declaration_helpers import approve
from .factories import CarrierFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def post_data(labels, **overrides):
    data = {
        "kind": "visit",
        "date": "2026-11-20",
        "result": "failed",
        "findings": "Registres de présence absents pour novembre.",
        "internal_note": "Coordinatrice peu coopérative.",
        "follow_up": "Transmettre les registres de novembre.",
        "follow_up_due_on": "2026-12-15",
    }
    for index, _label in enumerate(labels):
        data[f"check_{index}_status"] = "ok"
        data[f"check_{index}_comment"] = ""
    data["check_2_status"] = "not_ok"
    data["check_2_comment"] = "Aucun registre sur place"
    data["check_2_shared"] = "on"
    data["check_1_comment"] = "Un extrait de casier daté de 2019 (interne)"
    data.update(overrides)
    return data


@pytest.fixture
def approved(loire):
    return approve(loire)


def record(client, world, project, **overrides):
    client.force_login(world.advisor)
    data = post_data(DEFAULT_CHECKLIST, controller=str(world.advisor.pk), **overrides)
    return client.post(reverse("declarations:control_create", args=[project.pk]), data)


def test_advisor_records_a_failed_visit_traced_and_told(
    client, loire, approved, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = record(client, loire, approved)
    control = Control.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("declarations:control_detail", args=[control.pk])
    assert control.result == "failed" and control.controller == loire.advisor
    assert [c.label for c in control.checks.all()] == list(DEFAULT_CHECKLIST)
    assert control.checks.get(label="Registres de présence").status == "not_ok"
    event = ProjectEvent.objects.get(project=approved, action="control_recorded")
    assert event.actor == loire.advisor
    assert event.data["after"]["result"] == "failed"
    assert "Coordinatrice" not in str(event.data) + event.note  # the internal note stays inside
    assert mail.outbox[-1].to == [loire.carrier_user.email]
    assert "Transmettre les registres de novembre" in mail.outbox[-1].body
    assert "Coordinatrice" not in mail.outbox[-1].body


def test_carrier_sees_results_and_shared_comments_only(client, loire, approved):
    record(client, loire, approved)
    control = Control.objects.get()
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:control_detail", args=[control.pk])).content.decode()
    assert "Non conforme" in page
    assert "Registres de présence absents pour novembre." in page
    assert "Aucun registre sur place" in page  # shared
    assert "Transmettre les registres de novembre." in page and "15/12/2026" in page
    assert "Coordinatrice peu coopérative" not in page
    assert "casier daté de 2019" not in page
    assert "Modifier" not in page
    detail = client.get(reverse("projects:detail", args=[approved.pk])).content.decode()
    assert "Contrôles et visites" in detail and "suite à réaliser avant le 15/12/2026" in detail
    # The Caf reads everything.
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:control_detail", args=[control.pk])).content.decode()
    assert "Coordinatrice peu coopérative" in page and "casier daté de 2019" in page


def test_bad_input_is_explained_next_to_the_field_and_kept(client, loire, approved):
    response = record(
        client,
        loire,
        approved,
        result="compliant",
        findings="",
        date="2099-01-01",
        follow_up="",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Un point est non conforme : le contrôle ne peut pas être « Conforme »." in page
    assert "Un contrôle se date du jour où il a eu lieu, pas après." in page
    assert "Dites ce que le porteur doit faire avant cette date." in page
    assert "Aucun registre sur place" in page  # what was typed is kept
    assert not Control.objects.exists()
    response = record(client, loire, approved, date="pas une date", result="")
    assert "Saisissez une date valide (jj/mm/aaaa)." in response.content.decode()
    assert "Indiquez le résultat du contrôle." in response.content.decode()


def test_failed_control_leads_to_a_consequence_once_and_only_when_failed(
    client, loire, approved, django_capture_on_commit_callbacks
):
    record(client, loire, approved)
    control = Control.objects.get()
    url = reverse("declarations:control_consequence", args=[control.pk])
    response = client.post(url, {"consequence": "declaration_correction", "note": ""})
    assert "Motivez la suite donnée au contrôle." in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"consequence": "declaration_correction", "note": "Semaines à corriger"})
    control.refresh_from_db()
    assert control.consequence == "declaration_correction"
    assert control.consequence_decided_by == loire.advisor
    event = ProjectEvent.objects.get(action="control_consequence")
    assert event.data == {"before": "", "after": "declaration_correction"}
    assert "la Caf a décidé : correction de la déclaration" in mail.outbox[-1].body
    # Once decided, the control stays failed.
    with pytest.raises(DeclarationError):
        controls.update_control(
            control.pk,
            by=loire.advisor,
            fields={"result": "compliant"},
            checks=[],
        )
    compliant = controls.record_control(
        approved,
        by=loire.processor,
        fields={
            "kind": "documents",
            "date": datetime.date(2026, 11, 2),
            "controller": loire.processor,
            "result": "compliant",
        },
        checks=[{"label": "Attestation d'assurance", "status": "ok"}],
    )
    with pytest.raises(DeclarationError, match="Seul un contrôle non conforme"):
        controls.decide_consequence(
            compliant.pk, by=loire.processor, consequence="recovery", note="x"
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Control.objects.filter(pk=compliant.pk).update(consequence="recovery")


def test_edit_traces_before_and_after_and_follow_up_done(client, loire, approved):
    record(client, loire, approved)
    control = Control.objects.get()
    data = post_data(
        DEFAULT_CHECKLIST,
        controller=str(loire.advisor.pk),
        result="minor",
        internal_note="Autre note interne",
    )
    client.post(reverse("declarations:control_edit", args=[control.pk]), data)
    event = ProjectEvent.objects.get(action="control_updated")
    assert event.data["changed"]["result"] == ["failed", "minor"]
    assert event.data["internal_note_changed"] is True
    assert "Autre note" not in str(event.data)
    client.post(reverse("declarations:control_follow_up_done", args=[control.pk]))
    control.refresh_from_db()
    assert control.follow_up_done_by == loire.advisor
    assert ProjectEvent.objects.filter(action="control_follow_up_done").count() == 1
    # Twice is refused with a message, nothing changes.
    response = client.post(
        reverse("declarations:control_follow_up_done", args=[control.pk]), follow=True
    )
    assert "déjà marquée comme réalisée" in response.content.decode()


def test_who_may_record(client, loire, vosges, approved):
    for user in (loire.committee, loire.carrier_user):
        client.force_login(user)
        url = reverse("declarations:control_create", args=[approved.pk])
        assert client.get(url).status_code == 403
    client.force_login(vosges.advisor)
    assert client.get(reverse("declarations:control_create", args=[approved.pk])).status_code == 404
    with pytest.raises(DeclarationError):
        controls.record_control(approved, by=loire.committee, fields={}, checks=[])


def test_the_cafs_own_checklist(client, loire, vosges, approved):
    client.force_login(loire.caf_admin)
    url = reverse("declarations:control_checklist")
    page = client.get(url).content.decode()
    assert "Registres de présence" in page and "Publicité du soutien de la Caf" in page
    assert not ControlChecklistItem.objects.exists()  # a GET writes nothing
    client.post(url, {"label": "Charte nationale Clas signée", "position": "9"})
    labels = list(loire.caf.control_checklist.values_list("label", flat=True))
    assert labels == [*DEFAULT_CHECKLIST, "Charte nationale Clas signée"]
    response = client.post(url, {"label": "attestation d'assurance", "position": "1"})
    assert "Ce point est déjà dans la grille de la Caf." in response.content.decode()
    publicity = loire.caf.control_checklist.get(label="Publicité du soutien de la Caf")
    client.post(
        reverse("declarations:control_checklist_item", args=[publicity.pk]),
        {"label": "Publicité du soutien de la Caf", "position": "5"},  # unchecked: not used
    )
    assert controls.checklist_labels(loire.caf) == [
        *DEFAULT_CHECKLIST[:4],
        "Charte nationale Clas signée",
    ]
    assert controls.checklist_labels(vosges.caf) == list(DEFAULT_CHECKLIST)
    client.force_login(loire.advisor)
    form = client.get(reverse("declarations:control_create", args=[approved.pk]))
    assert "Charte nationale Clas signée" in form.content.decode()
    assert "Publicité du soutien" not in form.content.decode()
    client.force_login(vosges.caf_admin)
    item = reverse("declarations:control_checklist_item", args=[publicity.pk])
    assert client.post(item, {"label": "x", "position": "1"}).status_code == 404


def _control(world, project, result, **more):
    return controls.record_control(
        project,
        by=world.advisor,
        fields={
            "kind": "visit",
            "date": datetime.date(2026, 11, 3),
            "controller": world.advisor,
            "result": result,
            "findings": "constats",
            **more,
        },
        checks=[{"label": "Registres de présence", "status": "ok"}],
    )


def test_campaign_list_filters_and_scope(client, loire, vosges, approved):
    _control(loire, approved, "failed", follow_up="Registres", follow_up_due_on=None)
    _control(loire, approved, "compliant")
    _control(vosges, vosges.project, "failed")
    client.force_login(loire.processor)
    url = reverse("declarations:control_list")
    page = client.get(url).content.decode()
    assert page.count("03/11/2026") == 2  # not the Vosges control
    assert "à décider" in page
    only_failed = client.get(url, {"result": "failed"}).content.decode()
    assert only_failed.count("03/11/2026") == 1
    undecided = client.get(url, {"consequence": "undecided"}).content.decode()
    assert undecided.count("03/11/2026") == 1
    pending = client.get(url, {"follow_up": "pending"}).content.decode()
    assert pending.count("03/11/2026") == 1 and "à réaliser" in pending
    assert client.get(url, {"q": "zzz"}).content.decode().count("03/11/2026") == 0
    client.force_login(loire.carrier_user)
    assert client.get(url).status_code == 403


# The wall clock held still: no cache expiry or session refresh between the counts.
@pytest.mark.usefixtures("held_clock")
def test_campaign_list_query_count_does_not_grow_with_rows(client, loire, approved):
    _control(loire, approved, "failed")
    client.force_login(loire.advisor)
    url = reverse("declarations:control_list")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for _ in range(30):
        carrier = CarrierFactory(commune=loire.carrier.commune)
        project = ProjectFactory(carrier=carrier, campaign=approved.campaign, status="approved")
        _control(loire, project, "minor", follow_up="x")
    assert count() == one


def test_the_gc_sees_the_projects_controls_beside_its_declaration(client, loire, approved):
    from declarations import services as declarations

    forecast = declarations.open_declaration(approved, "forecast", by=loire.carrier_user)
    _control(loire, approved, "failed")
    controls.decide_consequence(
        Control.objects.get().pk,
        by=loire.advisor,
        consequence="declaration_correction",
        note="Semaines à corriger",
    )
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:process", args=[forecast.pk])).content.decode()
    assert "Contrôles du projet" in page
    assert "non conforme — correction de la déclaration par le gestionnaire conseil" in page
