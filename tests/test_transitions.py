"""Every state change of every aggregate goes through a declared transition: an event row with
who and before/after, and an e-mail to whoever must act next."""

import datetime

import pytest
from django.core import mail
from django.template.loader import get_template

from clasportal.messenger import render
from clasportal.models import OutboundEmail
from clasportal.transitions import STATUS_LABELS, TransitionError
from committee.models import CommitteeSession
from committee.review import propose, request_changes
from committee.sessions import SESSION, add_to_agenda, close_session, proposed_not_on_agenda
from committee.sessions import record_decision as decide
from declarations import services as declarations
from declarations.models import Payment
from declarations.workflow import DECLARATION, PAYMENT
from projects import workflow
from projects.models import ProjectEvent, ProjectStatus

from .declaration_helpers import approve
from .request_helpers import make_complete

pytestmark = pytest.mark.django_db

WORKFLOWS = (workflow.PROJECT, DECLARATION, PAYMENT, SESSION)


def test_every_transition_with_an_email_has_its_text():
    for flow in WORKFLOWS:
        assert STATUS_LABELS[flow.subject]
        for name, transition in flow.transitions.items():
            assert transition.sources and transition.target not in transition.sources, name
            if transition.email:
                get_template(f"emails/{transition.email}.txt")


def events(project, action):
    return ProjectEvent.objects.filter(project=project, action=action)


def test_a_whole_year_leaves_an_event_per_transition_and_mails_who_must_act(
    loire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        project = approve(loire, bonus_children=True)
        forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
        found = declarations.findings(forecast)
        declarations.submit(
            forecast.pk,
            by=loire.carrier_user,
            justifications={(f.code, f.field): "Vacances" for f in found},
        )
        for justification in forecast.justifications.all():
            declarations.decide_justification(justification.pk, by=loire.processor, accepted=True)
        declarations.validate(forecast.pk, by=loire.processor)
        payment = Payment.objects.filter(project=project).order_by("kind").first()
        with pytest.raises(TransitionError):  # who validated the right does not pay it
            declarations.advance_payment(payment.pk, by=loire.processor)
        declarations.advance_payment(payment.pk, by=loire.payer)
        declarations.advance_payment(payment.pk, by=loire.payer)
        session = project.agenda_items.get().session
        close_session(session.pk, by=loire.caf_admin)

    expected = {
        "submit": (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED),
        "propose": (ProjectStatus.SUBMITTED, ProjectStatus.PROPOSED),
        "approve": (ProjectStatus.PROPOSED, ProjectStatus.APPROVED),
        "submit_forecast": ("draft", "submitted"),
        "validate_forecast": ("submitted", "validated"),
        "send_payment": ("to_pay", "sent"),
        "pay": ("sent", "paid"),
    }
    for action, (before, after) in expected.items():
        event = events(project, action).get()
        assert (event.from_status, event.to_status) == (before, after), action
        assert event.actor is not None and event.caf_id == loire.caf.pk
    assert events(project, "grant_bonus").get().data["after"] is True
    closing = ProjectEvent.objects.get(subject="session", subject_id=session.pk)
    assert closing.action == "close_session" and closing.actor == loire.caf_admin
    assert (closing.from_label, closing.to_label) == ("Ouverte", "Close")

    subjects = [m.subject for m in mail.outbox]
    carrier, advisor, processor = (
        loire.carrier_user.email,
        loire.advisor.email,
        loire.processor.email,
    )

    def sent_to(prefix):
        return {address for m in mail.outbox if m.subject.startswith(prefix) for address in m.to}

    assert carrier in sent_to("Récépissé de dépôt")
    assert advisor in sent_to("Demande déposée à instruire")
    assert carrier in sent_to("Bonus accordé")
    assert carrier in sent_to("Décision du comité")
    assert processor in sent_to("Décision du comité")  # the GC opens the declarations next
    assert processor in sent_to("Déclaration prévisionnelle transmise")
    assert carrier in sent_to("Déclaration prévisionnelle validée")
    assert carrier in sent_to("Paiement effectué")
    assert all("\n" not in s and "\r" not in s for s in subjects)


def test_a_change_request_and_a_take_back_are_traced_and_mailed(
    loire, django_capture_on_commit_callbacks
):
    make_complete(loire.project)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(loire.project.pk, by=loire.carrier_user)
        request_changes(
            loire.project.pk, by=loire.advisor, sections=["collectifs"], message="Précisez"
        )
        workflow.fire(loire.project.pk, "take_back", by=loire.advisor, note="Vu au téléphone")
    assert events(loire.project, "request_changes").get().to_status == "changes_requested"
    assert events(loire.project, "take_back").get().to_status == "under_review"
    asked = [m for m in mail.outbox if m.subject.startswith("Modifications demandées")]
    assert asked and "Les collectifs" in asked[0].body and "Précisez" in asked[0].body


def test_a_transition_refuses_the_wrong_person_and_the_wrong_status(loire):
    make_complete(loire.project)
    with pytest.raises(TransitionError, match="rôle"):
        workflow.fire(loire.project.pk, "submit", by=loire.advisor)
    with pytest.raises(TransitionError, match="Brouillon"):
        workflow.fire(loire.project.pk, "propose", by=loire.advisor)
    with pytest.raises(TransitionError, match="introuvable"):
        workflow.fire(loire.project.pk, "submit", by=loire.other_carrier_user)
    assert not events(loire.project, "submit").exists()


def test_a_title_with_a_line_break_cannot_break_the_mail_headers(loire):
    loire.project.title = "Aide aux devoirs\r\nBcc: victime@example.org"
    loire.project.save()
    subject, body = render("project_submitted", {"object": loire.project})
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("Demande déposée à instruire — Aide aux devoirs Bcc:")


def test_only_the_sessions_members_decide(loire):
    project = make_complete(loire.project)
    workflow.submit(project.pk, by=loire.carrier_user)
    propose(project.pk, by=loire.advisor, favourable=True, collectives=1)
    session = CommitteeSession.objects.create(
        caf=loire.caf, campaign=project.campaign, date=datetime.date(2026, 12, 17), place="Caf"
    )
    add_to_agenda(session, [project], by=loire.caf_admin)
    with pytest.raises(TransitionError, match="membres de ce comité"):
        decide(session.items.get().pk, by=loire.committee, outcome="approved", collectives=1)
    session.members.add(loire.committee)
    decide(session.items.get().pk, by=loire.committee, outcome="approved", collectives=1)


def test_one_open_agenda_item_per_project_and_adjourned_projects_come_back(loire):
    project = make_complete(loire.project)
    workflow.submit(project.pk, by=loire.carrier_user)
    propose(project.pk, by=loire.advisor, favourable=True, collectives=1)
    first, second = (
        CommitteeSession.objects.create(
            caf=loire.caf, campaign=project.campaign, date=datetime.date(2026, 12, day), place="Caf"
        )
        for day in (10, 17)
    )
    first.members.add(loire.committee)
    assert add_to_agenda(first, [project], by=loire.caf_admin) == 1
    project.refresh_from_db()
    assert add_to_agenda(second, [project], by=loire.caf_admin) == 0
    assert project not in proposed_not_on_agenda(second, loire.caf_admin)
    decide(first.items.get().pk, by=loire.committee, outcome="adjourned", reason="Budget à revoir")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ADJOURNED
    # Adjourned: a candidate for the next session, scheduled again as a proposal.
    assert project in proposed_not_on_agenda(second, loire.caf_admin)
    assert add_to_agenda(second, [project], by=loire.caf_admin) == 1
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED
    assert events(project, "reschedule").get().from_status == ProjectStatus.ADJOURNED


def test_deleting_an_attachment_is_traced(client, loire):
    project = make_complete(loire.project)
    attachment = project.attachments.first()
    client.force_login(loire.carrier_user)
    client.post(f"/projets/{project.pk}/pieces/{attachment.pk}/supprimer/")
    event = events(project, "delete_attachment").get()
    assert event.actor == loire.carrier_user and event.note == attachment.original_name
    assert not project.attachments.filter(pk=attachment.pk).exists()


def test_an_outbox_row_is_written_in_the_same_transaction(loire):
    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    assert OutboundEmail.objects.filter(subject__startswith="Demande déposée").exists()


def test_an_email_that_cannot_be_sent_is_marked_failed_and_shown_to_the_caf_admin(
    client, loire, settings
):
    from clasportal.tasks import send_email

    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    receipt = OutboundEmail.objects.get(subject__startswith="Récépissé")
    OutboundEmail.objects.filter(pk=receipt.pk).update(attachment="recepisses/absent.pdf")
    send_email(receipt.pk)  # a missing file is not the network: no retry loop
    receipt.refresh_from_db()
    assert receipt.status == "failed" and "FileNotFoundError" in receipt.last_error
    assert receipt.caf_id == loire.caf.pk
    client.force_login(loire.caf_admin)
    page = client.get("/").content.decode()
    assert "E-mails non remis" in page and "Récépissé de dépôt" in page
    client.force_login(loire.advisor)
    assert "E-mails non remis" not in client.get("/").content.decode()
