"""Reminders before deadlines: each is created once per person and deadline whatever the number
of runs, follows the person's choice (at once, daily digest, portal only) and shows in the
notification centre with its unread count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clasportal.models import Notice, NoticePreference, OutboundEmail
from declarations import reminders, tasks
from declarations.models import Declaration
from projects.models import ProjectEvent, ProjectStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 20)


def _mails_to(user):
    return [m for m in OutboundEmail.objects.all() if user.email in m.recipients]


def _close_window_in(world, days):
    campaign = world.project.campaign
    campaign.opens_on = TODAY - datetime.timedelta(days=30)
    campaign.closes_on = TODAY + datetime.timedelta(days=days)
    campaign.save()


def test_a_draft_is_recalled_once_when_the_window_closes_within_a_week(loire):
    _close_window_in(loire, 10)
    assert reminders.run(TODAY) == []
    _close_window_in(loire, 5)
    created = reminders.run(TODAY)
    # Each carrier with a draft in the campaign is recalled (the Loire world has two).
    assert {n.user for n in created} == {loire.carrier_user, loire.other_carrier_user}
    mails = _mails_to(loire.carrier_user)
    assert len(mails) == 1
    assert "Dépôt clos le 25/06/2026" in mails[0].subject
    assert f"/projets/{loire.project.pk}/" in mails[0].body
    # The beat runs again (the same day, the next day): nothing is sent twice.
    assert reminders.run(TODAY) == []
    assert reminders.run(TODAY + datetime.timedelta(days=1)) == []
    assert len(_mails_to(loire.carrier_user)) == 1
    # A deposited request is not recalled.
    assert Notice.objects.filter(key__startswith="window_closing").count() == 2


def test_a_declaration_is_recalled_at_14_and_3_days_then_when_late(loire):
    declaration = Declaration.objects.create(
        project=loire.project,
        kind="forecast",
        collectives=1,
        weeks=30,
        due_on=TODAY + datetime.timedelta(days=12),
    )
    keys = []
    for day in (TODAY, TODAY + datetime.timedelta(days=5), TODAY + datetime.timedelta(days=10)):
        keys += [n.key for n in reminders.run(day)]
    keys += [n.key for n in reminders.run(TODAY + datetime.timedelta(days=13))]
    keys += [n.key for n in reminders.run(TODAY + datetime.timedelta(days=20))]
    assert keys == [
        f"declaration_due:{declaration.pk}:14",
        f"declaration_due:{declaration.pk}:3",
        f"declaration_overdue:{declaration.pk}",
    ]
    late = Notice.objects.get(key=f"declaration_overdue:{declaration.pk}")
    assert late.title.startswith("En retard : déclaration prévisionnelle")
    # Transmitted: no more reminders.
    declaration.status = Declaration.Status.SUBMITTED
    declaration.save()
    other = Declaration.objects.create(
        project=loire.project,
        kind="actual",
        collectives=1,
        weeks=30,
        due_on=TODAY,
        status="submitted",
    )
    assert reminders.run(TODAY + datetime.timedelta(days=30)) == []
    assert not Notice.objects.filter(key__contains=f":{other.pk}").exists()


def test_changes_unanswered_for_ten_days_and_files_waiting_for_the_advisor(loire, settings):
    settings.CLAS_ADVISOR_WAITING_DAYS = 15
    project = loire.project
    project.status = ProjectStatus.CHANGES_REQUESTED
    project.save()
    asked = ProjectEvent.objects.create(
        project=project, actor=loire.advisor, action="request_changes"
    )
    ProjectEvent.objects.filter(pk=asked.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 6, 12, 9))
    )
    assert reminders.run(TODAY) == []  # 8 days
    created = reminders.run(TODAY + datetime.timedelta(days=2))  # 10 days
    assert [n.kind for n in created] == ["changes_unanswered"]
    assert created[0].user == loire.carrier_user

    other = loire.other_project
    other.status = ProjectStatus.SUBMITTED
    other.save()
    submitted = ProjectEvent.objects.create(
        project=other, actor=loire.carrier_user, action="submit"
    )
    ProjectEvent.objects.filter(pk=submitted.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 6, 1, 9))
    )
    created = reminders.run(TODAY)  # 19 days waiting
    assert [(n.kind, n.user) for n in created] == [("files_waiting", loire.advisor)]
    assert created[0].url == reverse("committee:review", args=[other.pk])
    assert reminders.run(TODAY) == []


def test_preferences_send_a_daily_digest_or_nothing(client, loire):
    NoticePreference.objects.create(
        user=loire.carrier_user, kind="window_closing", channel="digest"
    )
    NoticePreference.objects.create(
        user=loire.carrier_user, kind="declaration_due", channel="digest"
    )
    _close_window_in(loire, 3)
    Declaration.objects.create(
        project=loire.project,
        kind="forecast",
        collectives=1,
        weeks=30,
        due_on=TODAY + datetime.timedelta(days=2),
    )
    mine = [n for n in reminders.run(TODAY) if n.user == loire.carrier_user]
    assert len(mine) == 2
    assert _mails_to(loire.carrier_user) == []
    assert tasks.send_notice_digests() == 1
    (digest,) = _mails_to(loire.carrier_user)
    assert digest.subject == "Portail Clas : 2 rappels du jour"
    assert "Dépôt clos le 23/06/2026" in digest.body and "à transmettre avant" in digest.body
    assert tasks.send_notice_digests() == 0  # nothing twice
    assert len(_mails_to(loire.carrier_user)) == 1

    # Portal only: the notice is there, no e-mail ever.
    NoticePreference.objects.filter(user=loire.carrier_user).update(channel="portal")
    loire.other_project.carrier = loire.carrier
    loire.other_project.save()
    assert len(reminders.run(TODAY)) == 1
    assert tasks.send_notice_digests() == 0
    assert len(_mails_to(loire.carrier_user)) == 1


def test_the_notification_centre(client, loire):
    _close_window_in(loire, 3)
    reminders.run(TODAY)
    notice = Notice.objects.get(user=loire.carrier_user)
    client.force_login(loire.carrier_user)
    page = client.get(reverse("notices")).content.decode()
    assert notice.title.replace("«", "&laquo;")[:10] in page or "Dépôt clos" in page
    assert 'badge rounded-pill text-bg-warning">1<' in page
    # Opening marks it read and follows its link.
    response = client.post(reverse("notice_read", args=[notice.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'text-bg-warning">' not in client.get(reverse("notices")).content.decode()
    # Another person's notice does not exist for them.
    client.force_login(loire.advisor)
    assert client.post(reverse("notice_read", args=[notice.pk])).status_code == 404
    assert "Aucun avis" in client.get(reverse("notices")).content.decode()


def test_mark_all_and_preferences_form(client, loire):
    for index in range(3):
        Notice.objects.create(
            user=loire.advisor, kind="files_waiting", key=f"k{index}", title=f"t{index}", body="b"
        )
    client.force_login(loire.advisor)
    client.post(reverse("notice_read_all"))
    assert not Notice.objects.filter(user=loire.advisor, read_at__isnull=True).exists()

    url = reverse("notice_preferences")
    bad = client.post(url, {"files_waiting": "pigeon"})
    assert "Sélectionnez un choix valide" in bad.content.decode() or "choix" in bad.content.decode()
    assert not NoticePreference.objects.filter(user=loire.advisor).exists()
    data = {kind: "immediate" for kind, _ in Notice._meta.get_field("kind").choices}
    data["files_waiting"] = "digest"
    assert client.post(url, data).status_code == 302
    (preference,) = NoticePreference.objects.filter(user=loire.advisor)
    assert (preference.kind, preference.channel) == ("files_waiting", "digest")
    assert preference.history.count() == 1


def test_the_reminders_cost_no_query_per_project(loire, django_assert_max_num_queries):
    from .factories import ProjectFactory

    _close_window_in(loire, 3)
    for _ in range(5):
        ProjectFactory(carrier=loire.carrier, campaign=loire.project.campaign)
    # Queries: the four selections, their members and events, then per notice created a
    # savepoint, the insert and the outbox row with its update.
    with django_assert_max_num_queries(12 + 7 * 8):
        assert len(reminders.run(TODAY)) == 7  # six drafts, and the other carrier's


def test_a_bilan_is_recalled_until_it_is_transmitted(loire):
    from declarations import bilans
    from declarations.models import BilanForm

    loire.project.status = ProjectStatus.APPROVED
    loire.project.save()
    form = bilans.create_form(loire.project.campaign)
    BilanForm.objects.filter(pk=form.pk).update(
        opens_on=TODAY - datetime.timedelta(days=30), due_on=TODAY + datetime.timedelta(days=10)
    )
    (notice,) = reminders.run(TODAY)
    assert notice.key == f"bilan_due:{form.pk}:{loire.project.pk}:14"
    assert notice.url == reverse("declarations:bilan_fill", args=[loire.project.pk])
    assert reminders.run(TODAY) == []
    # Transmitted: the 3-day and overdue reminders never come.
    response = bilans.response_for(form, loire.project)
    response.status = "submitted"
    response.save()
    assert reminders.run(TODAY + datetime.timedelta(days=8)) == []
    assert reminders.run(TODAY + datetime.timedelta(days=20)) == []
