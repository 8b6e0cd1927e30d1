"""Reminders before deadlines, run each day by the beat (`declarations.tasks.send_reminders`).

Each reminder is a `Notice` for one person with a key naming its deadline; the unique
(person, key) pair makes a second run on the same day, or a run after a missed day, send nothing
already sent. The person's preference says whether it leaves at once by e-mail, in the daily
digest, or stays in the portal's notification centre.

- the deposit window closes in 7 days or less and a request is still a draft → its carrier;
- a forecast or actual declaration, or a bilan, is due in 14 days, in 3 days, or overdue → its
  carrier;
- changes were requested 10 days ago or more and the request is still waiting → its carrier;
- a deposited request has waited more than `CLAS_ADVISOR_WAITING_DAYS` (setting) for instruction → its
  territory's advisors.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clasportal import rules
from clasportal.messenger import send
from clasportal.models import Notice, NoticeKind, NoticePreference
from projects.models import (
    AWAITING_REVIEW,
    CarrierMembership,
    Project,
    ProjectEvent,
    ProjectStatus,
)

from .models import BilanForm, BilanResponse, Declaration

WINDOW_DAYS = 7
DUE_STEPS = (14, 3)
CHANGES_UNANSWERED_DAYS = 10


def _members_by_carrier(carrier_ids):
    members = defaultdict(list)
    rows = CarrierMembership.objects.filter(
        carrier_id__in=set(carrier_ids), accepted_at__isnull=False, user__is_active=True
    ).select_related("user")
    for membership in rows:
        members[membership.carrier_id].append(membership.user)
    return members


def _channels(users):
    rows = NoticePreference.objects.filter(user__in=users).values_list("user_id", "kind", "channel")
    return {(user_id, kind): channel for user_id, kind, channel in rows}


class Batch:
    """Notices of one run, delivered with a fixed number of queries per notice created."""

    def __init__(self):
        self.pending = []  # (user, caf_id, kind, key, title, body, url)

    def add(self, users, *, caf_id, kind, key, title, body, url):
        for user in users:
            self.pending.append((user, caf_id, kind, key, title, body, url))

    def deliver(self):
        users = {row[0].pk: row[0] for row in self.pending}
        existing = set(
            Notice.objects.filter(
                user_id__in=users, key__in={row[3] for row in self.pending}
            ).values_list("user_id", "key")
        )
        channels = _channels(list(users))
        created = []
        for user, caf_id, kind, key, title, body, url in self.pending:
            if (user.pk, key) in existing:
                continue
            existing.add((user.pk, key))
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(
                        user=user,
                        caf_id=caf_id,
                        kind=kind,
                        key=key,
                        title=title,
                        body=body,
                        url=url,
                    )
            except IntegrityError:  # another run created it meanwhile
                continue
            channel = channels.get((user.pk, kind), NoticePreference.Channel.IMMEDIATE)
            if channel == NoticePreference.Channel.IMMEDIATE and user.email:
                send(
                    "notice",
                    to=[user.email],
                    context={"object": notice, "base_url": settings.CLAS_BASE_URL},
                )
                notice.emailed_at = timezone.now()
                notice.save(update_fields=["emailed_at"])
            created.append(notice)
        return created


def _window_closing(batch, today):
    horizon = today + datetime.timedelta(days=WINDOW_DAYS)
    drafts = list(
        Project.objects.filter(
            status=ProjectStatus.DRAFT,
            campaign__closes_on__gte=today,
            campaign__closes_on__lte=horizon,
        ).select_related("campaign")
    )
    members = _members_by_carrier(p.carrier_id for p in drafts)
    for project in drafts:
        closes = project.campaign.closes_on
        batch.add(
            members[project.carrier_id],
            caf_id=project.campaign.caf_id,
            kind=NoticeKind.WINDOW_CLOSING,
            key=f"window_closing:{project.pk}:{closes:%Y%m%d}",
            title=f"Dépôt clos le {closes:%d/%m/%Y} : « {project.title} » est en brouillon",
            body=(
                f"Le dépôt des demandes de la campagne {project.campaign.school_year} ferme le "
                f"{closes:%d/%m/%Y}. Votre demande « {project.title} » n'est pas encore déposée."
            ),
            url=reverse("projects:detail", args=[project.pk]),
        )


def _declarations_due(batch, today):
    horizon = today + datetime.timedelta(days=max(DUE_STEPS))
    waiting = list(
        Declaration.objects.filter(
            status__in=(Declaration.Status.DRAFT, Declaration.Status.RETURNED),
            due_on__isnull=False,
            due_on__lte=horizon,
        ).select_related("project__campaign")
    )
    members = _members_by_carrier(d.project.carrier_id for d in waiting)
    for declaration in waiting:
        project, due = declaration.project, declaration.due_on
        days_left = (due - today).days
        label = declaration.get_kind_display().lower()
        if days_left < 0:
            kind, key = NoticeKind.DECLARATION_OVERDUE, f"declaration_overdue:{declaration.pk}"
            title = f"En retard : {label} de « {project.title} » attendue le {due:%d/%m/%Y}"
        else:
            step = min(s for s in DUE_STEPS if days_left <= s)
            kind, key = NoticeKind.DECLARATION_DUE, f"declaration_due:{declaration.pk}:{step}"
            title = (
                f"{label.capitalize()} de « {project.title} » à transmettre avant le {due:%d/%m/%Y}"
            )
        batch.add(
            members[project.carrier_id],
            caf_id=project.campaign.caf_id,
            kind=kind,
            key=key,
            title=title,
            body=(
                f"La {label} du projet « {project.title} » (campagne "
                f"{project.campaign.school_year}) est attendue avant le {due:%d/%m/%Y}."
            ),
            url=reverse("declarations:edit", args=[declaration.pk]),
        )


def _bilans_due(batch, today):
    """Bilans open to carriers, due within 14 days or overdue, not yet transmitted."""
    horizon = today + datetime.timedelta(days=max(DUE_STEPS))
    forms = list(
        BilanForm.objects.filter(opens_on__lte=today, due_on__lte=horizon).select_related(
            "campaign"
        )
    )
    if not forms:
        return
    owed = list(
        Project.objects.filter(
            campaign_id__in=[f.campaign_id for f in forms], status=ProjectStatus.APPROVED
        ).exclude(
            bilan_responses__status=BilanResponse.Status.SUBMITTED,
        )
    )
    by_campaign = {f.campaign_id: f for f in forms}
    members = _members_by_carrier(p.carrier_id for p in owed)
    for project in owed:
        form = by_campaign[project.campaign_id]
        due, days_left = form.due_on, (form.due_on - today).days
        if days_left < 0:
            kind, key = NoticeKind.BILAN_OVERDUE, f"bilan_overdue:{form.pk}:{project.pk}"
            title = f"En retard : bilan de « {project.title} » attendu le {due:%d/%m/%Y}"
        else:
            step = min(s for s in DUE_STEPS if days_left <= s)
            kind, key = NoticeKind.BILAN_DUE, f"bilan_due:{form.pk}:{project.pk}:{step}"
            title = f"Bilan de « {project.title} » à transmettre avant le {due:%d/%m/%Y}"
        batch.add(
            members[project.carrier_id],
            caf_id=form.caf_id,
            kind=kind,
            key=key,
            title=title,
            body=(
                f"Le bilan de l'action « {project.title} » (campagne "
                f"{form.campaign.school_year}) est attendu avant le {due:%d/%m/%Y}."
                + (
                    " Votre Caf l'exige avant tout renouvellement."
                    if form.required_for_renewal
                    else ""
                )
            ),
            url=reverse("declarations:bilan_fill", args=[project.pk]),
        )


def _last_events(projects, action):
    """The last event of `action` for each project, in one query."""
    last = {}
    rows = (
        ProjectEvent.objects.filter(project__in=projects, action=action)
        .order_by("project_id", "created_at", "pk")
        .values_list("project_id", "pk", "created_at")
    )
    for project_id, pk, created_at in rows:
        last[project_id] = (pk, created_at)
    return last


def _changes_unanswered(batch, today):
    waiting = list(
        Project.objects.filter(status=ProjectStatus.CHANGES_REQUESTED).select_related("campaign")
    )
    asked = _last_events(waiting, "request_changes")
    members = _members_by_carrier(p.carrier_id for p in waiting)
    for project in waiting:
        event = asked.get(project.pk)
        if not event or (today - timezone.localdate(event[1])).days < CHANGES_UNANSWERED_DAYS:
            continue
        batch.add(
            members[project.carrier_id],
            caf_id=project.campaign.caf_id,
            kind=NoticeKind.CHANGES_UNANSWERED,
            key=f"changes_unanswered:{project.pk}:{event[0]}",
            title=f"La Caf attend vos modifications sur « {project.title} »",
            body=(
                f"Des modifications ont été demandées le {timezone.localdate(event[1]):%d/%m/%Y} "
                f"sur votre demande « {project.title} ». Elle ne peut pas avancer sans elles."
            ),
            url=reverse("projects:detail", args=[project.pk]),
        )


def _files_waiting(batch, today):
    waiting = list(
        Project.objects.filter(status__in=AWAITING_REVIEW).select_related(
            "campaign", "carrier__commune"
        )
    )
    submitted = _last_events(waiting, "submit")
    limit = settings.CLAS_ADVISOR_WAITING_DAYS
    for project in waiting:
        event = submitted.get(project.pk)
        if not event or (today - timezone.localdate(event[1])).days <= limit:
            continue
        advisors = rules.advisors_of(project.campaign.caf_id, project.carrier.commune.territory_id)
        batch.add(
            list(advisors),
            caf_id=project.campaign.caf_id,
            kind=NoticeKind.FILES_WAITING,
            key=f"files_waiting:{project.pk}:{event[0]}",
            title=f"« {project.title} » attend son instruction depuis plus de {limit} jours",
            body=(
                f"La demande « {project.title} » de {project.carrier} a été déposée le "
                f"{timezone.localdate(event[1]):%d/%m/%Y} et attend toujours son instruction."
            ),
            url=reverse("committee:review", args=[project.pk]),
        )


def run(today=None):
    """Create (and send, by each person's choice) the reminders due on `today`."""
    today = today or timezone.localdate()
    batch = Batch()
    _window_closing(batch, today)
    _declarations_due(batch, today)
    _bilans_due(batch, today)
    _changes_unanswered(batch, today)
    _files_waiting(batch, today)
    return batch.deliver()


def send_digests(now=None):
    """One e-mail per person gathering the notices they chose to receive as a daily digest."""
    now = now or timezone.now()
    digest = NoticePreference.objects.filter(channel=NoticePreference.Channel.DIGEST)
    wanted = defaultdict(set)
    for user_id, kind in digest.values_list("user_id", "kind"):
        wanted[user_id].add(kind)
    sent = 0
    for user_id, kinds in wanted.items():
        with transaction.atomic():
            notices = list(
                Notice.objects.select_for_update()
                .filter(user_id=user_id, kind__in=kinds, emailed_at__isnull=True)
                .select_related("user")
                .order_by("created_at", "pk")
            )
            if not notices or not notices[0].user.email:
                continue
            send(
                "notice_digest",
                to=[notices[0].user.email],
                context={
                    "object": notices[0],
                    "notices": notices,
                    "base_url": settings.CLAS_BASE_URL,
                },
            )
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
            sent += 1
    return sent
