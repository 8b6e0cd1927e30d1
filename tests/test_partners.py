"""Issue 18, piece A: partner organisations and their accounts, what a partner account sees (only
the deposited files of the sessions it sits on: never a RIB, a draft or an internal note), the
members named per session and their attendance, printed on the agrément list."""

import datetime

import pytest
from django.urls import reverse

from clasportal.models import OutboundEmail, Role
from clasportal.rules import committee_candidates
from committee import exports
from committee.models import (
    AgendaItem,
    Attendance,
    CommitteeSession,
    PartnerAccount,
    PartnerOrganisation,
    ReviewNote,
)
from committee.review import add_note
from projects.models import Attachment, Collective, Project

from .declaration_helpers import approve
from .factories import CollectiveFactory, ProjectFactory, UserFactory
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def partner_user(caf, *, name="MSA Lorraine", kind="msa", email=None):
    organisation = PartnerOrganisation.objects.get_or_create(
        caf=caf, name=name, defaults={"kind": kind}
    )[0]
    user = UserFactory(**({"email": email} if email else {}))
    PartnerAccount.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def table(loire):
    """Loire's approved project on a session a partner sits on, with a RIB attached, one
    internal note and one shared note, and a draft project put on the same agenda."""
    project = approve(loire)
    session = project.agenda_items.get().session
    partner = partner_user(loire.caf)
    session.members.add(partner)
    draft = ProjectFactory(
        carrier=loire.other_carrier, campaign=project.campaign, title="Brouillon"
    )
    CollectiveFactory(project=draft, name="Groupe du brouillon")
    AgendaItem.objects.create(session=session, project=draft, position=9)
    add_note(project, by=loire.advisor, body="Trésorerie fragile, à surveiller")
    add_note(
        project,
        by=loire.advisor,
        body="Projet solide, partenariat école",
        shared_with_partners=True,
    )
    return project, session, partner, draft


def test_partner_account_holds_the_partner_role(loire):
    user = partner_user(loire.caf)
    assert user.role == Role.PARTNER
    assert user.role.label == "Partenaire du comité"
    assert not user.has_perm("committee.view_session", loire.project)
    assert not user.has_perm("projects.view_project", loire.project)


def test_a_sitting_partner_sees_only_the_deposited_files_of_its_sessions(loire, vosges, table):
    project, session, partner, draft = table
    assert list(CommitteeSession.objects.visible_to(partner)) == [session]
    assert set(AgendaItem.objects.visible_to(partner)) == set(session.items.all())
    # The deposited project, never the draft nor the Caf's other projects.
    assert list(Project.objects.visible_to(partner)) == [project]
    assert set(Collective.objects.visible_to(partner)) == set(project.collectives.all())
    # Never an attachment (the RIB), never an internal note, the shared one only.
    assert project.attachments.exists()
    assert not Attachment.objects.visible_to(partner).exists()
    assert [n.body for n in ReviewNote.objects.visible_to(partner)] == [
        "Projet solide, partenariat école"
    ]
    # A request given back to its carrier for changes is not read either.
    Project.objects.filter(pk=project.pk).update(status="changes_requested")
    assert not Project.objects.visible_to(partner).exists()
    assert not ReviewNote.objects.visible_to(partner).exists()


def test_a_project_on_two_of_its_sessions_comes_once(loire, table):
    project, session, partner, _ = table
    second = CommitteeSession.objects.create(
        caf=loire.caf, campaign=project.campaign, date=datetime.date(2026, 12, 1), place="Caf"
    )
    second.members.add(partner)
    AgendaItem.objects.create(session=second, project=project)
    assert list(Project.objects.visible_to(partner)) == [project]
    assert Project.objects.visible_to(partner).count() == 1


def test_not_sitting_other_caf_or_inactive_organisation_sees_nothing(loire, vosges, table):
    project, session, partner, _ = table
    not_sitting = partner_user(
        loire.caf, name="Conseil départemental de la Loire", kind="departement"
    )
    far = partner_user(vosges.caf)
    session.members.add(far)  # even named by mistake, another Caf's partner reads nothing here
    for user in (not_sitting, far):
        assert not CommitteeSession.objects.visible_to(user).exists()
        assert not Project.objects.visible_to(user).exists()
        assert not user.has_perm("committee.read_agenda", session)
    assert partner.has_perm("committee.read_agenda", session)
    PartnerOrganisation.objects.filter(accounts__user=partner).update(is_active=False)
    partner = type(partner).objects.get(pk=partner.pk)
    assert not Project.objects.visible_to(partner).exists()
    assert not partner.has_perm("committee.read_agenda", session)


def test_partner_pages_show_the_deposited_file_and_nothing_else(client, loire, table):
    project, session, partner, draft = table
    client.force_login(partner)
    home = client.get(reverse("home")).content.decode()
    assert reverse("committee:partner_session", args=[session.pk]) in home
    agenda = client.get(reverse("committee:partner_session", args=[session.pk]))
    assert agenda.status_code == 200
    text = agenda.content.decode()
    assert project.title in text and "Brouillon" not in text
    page = client.get(reverse("committee:partner_project", args=[session.pk, project.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Un texte qui décrit l&#x27;action." in text  # the request as deposited
    assert project.collectives.first().name in text
    assert "Total des charges" in text
    assert "Projet solide, partenariat école" in text
    assert "Trésorerie fragile" not in text
    assert "rib.pdf" not in text and project.attachments.first().original_name not in text
    # The draft on the agenda, and the staff pages of the same project, stay closed.
    draft_page = client.get(reverse("committee:partner_project", args=[session.pk, draft.pk]))
    assert draft_page.status_code == 404
    assert client.get(reverse("committee:review", args=[project.pk])).status_code == 403
    assert client.get(reverse("committee:session_detail", args=[session.pk])).status_code == 403
    attachment = project.attachments.first()
    rib = reverse("projects:attachment", args=[project.pk, attachment.pk])
    assert client.get(rib).status_code in (403, 404)


def test_caf_admin_creates_partners_and_invites_their_people(client, loire, vosges):
    client.force_login(loire.caf_admin)
    response = client.post(
        reverse("committee:partner_list"),
        {"kind": "msa", "name": "  MSA   Loire  ", "budget_label": "MSA-42"},
    )
    assert response.status_code == 302
    organisation = PartnerOrganisation.objects.get()
    assert (organisation.caf, organisation.name) == (loire.caf, "MSA Loire")
    again = client.post(reverse("committee:partner_list"), {"kind": "msa", "name": "MSA Loire"})
    assert "Un partenaire de votre Caf porte déjà ce nom." in again.content.decode()
    bad = client.post(
        reverse("committee:partner_invite", args=[organisation.pk]),
        {"email": "pas-une-adresse", "first_name": "Léa", "last_name": ""},
    )
    text = bad.content.decode()
    assert bad.status_code == 200 and "Saisissez une adresse e-mail valide" in text
    assert "Saisissez le nom." in text and 'value="Léa"' in text
    response = client.post(
        reverse("committee:partner_invite", args=[organisation.pk]),
        {"email": "Lea.Martin@MSA.fr", "first_name": "Léa", "last_name": "Martin"},
    )
    assert response.status_code == 302
    account = PartnerAccount.objects.get()
    assert account.user.email == "lea.martin@msa.fr" and not account.user.has_usable_password()
    assert account.user.role == Role.PARTNER
    sent = OutboundEmail.objects.get(recipients__contains=["lea.martin@msa.fr"])
    assert "Partenaire du comité" in sent.body and "MSA Loire" in sent.body
    # The partner is a candidate member of the Caf's sessions; deactivated, it is not.
    assert account.user in committee_candidates(loire.caf_admin)
    client.post(reverse("committee:partner_activation", args=[organisation.pk]))
    organisation.refresh_from_db()
    assert not organisation.is_active
    assert account.user not in committee_candidates(loire.caf_admin)
    assert organisation.history.first().history_change_reason == "Désactivé"
    # Another Caf's administrator does not reach it; staff who are not administrators neither.
    client.force_login(vosges.caf_admin)
    assert client.get(reverse("committee:partner_edit", args=[organisation.pk])).status_code == 404
    client.force_login(loire.advisor)
    assert client.get(reverse("committee:partner_list")).status_code == 403


def test_members_are_named_and_attendance_recorded(client, loire, vosges, table):
    project, session, partner, _ = table
    far = partner_user(vosges.caf, email="far@msa.fr")
    client.force_login(loire.caf_admin)
    refused = client.post(
        reverse("committee:session_members", args=[session.pk]),
        {"members": [loire.committee.pk, far.pk]},
        follow=True,
    )
    assert "Choisissez des membres de votre Caf." in refused.content.decode()
    assert far not in session.members.all()
    client.post(
        reverse("committee:session_members", args=[session.pk]),
        {"members": [loire.committee.pk, partner.pk]},
    )
    assert set(session.members.all()) == {loire.committee, partner}
    wrong = client.post(
        reverse("committee:session_attendance", args=[session.pk]),
        {f"status-{loire.committee.pk}": "present", f"status-{partner.pk}": "maybe"},
        follow=True,
    )
    assert "présent, excusé ou absent" in wrong.content.decode()
    assert not Attendance.objects.exists()
    # A committee member sitting on the session records it too.
    client.force_login(loire.committee)
    client.post(
        reverse("committee:session_attendance", args=[session.pk]),
        {f"status-{loire.committee.pk}": "present", f"status-{partner.pk}": "excused"},
    )
    lines = {a.user: a for a in Attendance.objects.all()}
    assert (
        lines[loire.committee].status == "present" and lines[loire.committee].organisation is None
    )
    assert lines[partner].status == "excused"
    assert lines[partner].organisation.name == "MSA Lorraine"
    assert lines[partner].recorded_by == loire.committee
    page = client.get(reverse("committee:session_detail", args=[session.pk])).content.decode()
    assert "Excusé" in page and f"{partner} (MSA Lorraine)" in page
    # The agrément list prints who attended, for whom.
    text = pdf_text(exports.agrement_pdf(session))
    assert "Présent" in text and f"{loire.committee} (Caf)" in text
    assert "Excusé" in text and "MSA Lorraine" in text
    # A partner does not record the attendance.
    client.force_login(partner)
    response = client.post(
        reverse("committee:session_attendance", args=[session.pk]),
        {f"status-{partner.pk}": "present"},
    )
    assert response.status_code == 403


def test_shared_note_flag_from_the_review_page(client, loire, table):
    project, session, partner, _ = table
    client.force_login(loire.advisor)
    client.post(
        reverse("committee:review_note", args=[project.pk]),
        {"body": "À lire par les partenaires", "shared_with_partners": "on"},
    )
    assert ReviewNote.objects.get(body="À lire par les partenaires").shared_with_partners
    page = client.get(reverse("committee:review", args=[project.pk])).content.decode()
    assert "partagée avec les partenaires" in page


def test_partners_present_become_attendance_lines(loire):
    """The migration turns a session's old partner codes into attendance lines « present »,
    reusing the Caf's organisation of that kind or creating it; the Caf's own code needs none."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("committee", "0005_partner_organisations")]
    after = [("committee", "0007_remove_partners_present")]
    session = CommitteeSession.objects.create(
        caf=loire.caf,
        campaign=loire.project.campaign,
        date=datetime.date(2025, 10, 14),
        place="Caf",
    )
    with connection.cursor() as cursor:  # run the deferred checks before altering the tables
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("committee", "CommitteeSession").objects.filter(pk=session.pk).update(
        partners_present=["caf", "msa", "departement"]
    )
    old.get_model("committee", "PartnerOrganisation").objects.create(
        caf_id=loire.caf.pk, kind="msa", name="MSA Loire-Drôme-Ardèche"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate(after)
    lines = {a.organisation.name: a.status for a in Attendance.objects.filter(session=session)}
    assert lines == {"MSA Loire-Drôme-Ardèche": "present", "Conseil départemental": "present"}
    assert PartnerOrganisation.objects.filter(caf=loire.caf).count() == 2
    assert [label for label, _ in session.attendance_groups] == ["Présents"]


# The wall clock held still: no cache expiry or session refresh between the counts.
@pytest.mark.usefixtures("held_clock")
def test_partner_agenda_queries_do_not_grow_with_the_agenda(client, loire, table):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project, session, partner, _ = table
    client.force_login(partner)
    url = reverse("committee:partner_session", args=[session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(3):
        more = approve_another(loire, project)
        AgendaItem.objects.create(session=session, project=more)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="bg-white rounded p-3 mb-2"') == 4
    assert len(many) == len(few)


def approve_another(world, project):
    """Another deposited project of the Caf, proposed to the committee."""
    other = ProjectFactory(
        carrier=world.other_carrier, campaign=project.campaign, status="proposed"
    )
    CollectiveFactory(project=other)
    return other
