"""What needs each role's attention now: one small function per role, a constant query count."""

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from funding.models import Bareme
from projects import conventions
from projects.models import (
    AWAITING_REVIEW,
    Campaign,
    Carrier,
    CarrierSignup,
    Project,
    ProjectMessage,
    ProjectStatus,
)

from . import rules
from .models import Caf, OutboundEmail

RECENT = 8


def first_and_count(queryset, n=RECENT):
    """(the first `n` rows, how many rows in all): the count is read only when the first rows
    fill the box; fewer than `n` are all there is (a query less per box on most dashboards)."""
    first = list(queryset[:n])
    return first, len(first) if len(first) < n else queryset.count()


def _status_counts(projects):
    rows = projects.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, label, counts.get(status, 0)) for status, label in ProjectStatus.choices]


def _campaigns_of(user):
    today = timezone.localdate()
    campaigns = list(Campaign.objects.visible_to(user).order_by("-year")[:3])
    for campaign in campaigns:
        campaign.is_open = campaign.is_open_on(today)
    return campaigns


def carrier_dashboard(user):
    carriers = list(Carrier.objects.visible_to(user).select_related("caf", "commune"))
    projects = Project.objects.visible_to(user)
    today = timezone.localdate()
    open_campaigns = list(
        Campaign.objects.visible_to(user).filter(opens_on__lte=today, closes_on__gte=today)
    )
    return {
        "carriers": carriers,
        "open_campaigns": open_campaigns,
        "status_counts": _status_counts(projects),
        "attention": list(
            projects.for_list()
            .narrow()
            .filter(status__in=[ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED])[:RECENT]
        ),
        "recent": list(projects.for_list().narrow()[:RECENT]),
        "declarations_due": _declarations_due(projects),
        # Its conventions and the year to enter in an open campaign (issue 15).
        **conventions.dashboard(user, carriers, open_campaigns),
    }


# What the "to start" lines show of a project (not its ≈ 50 columns).
DUE_COLUMNS = ("title", "campaign", "campaign__year")


def _declarations_due(projects):
    """Approved projects whose forecast or actual declaration is still to send (or returned)."""
    from declarations.models import Declaration

    approved = projects.filter(status=ProjectStatus.APPROVED)
    open_declarations = (
        Declaration.objects.filter(
            project__in=approved,
            status__in=[Declaration.Status.DRAFT, Declaration.Status.RETURNED],
        )
        .select_related("project")
        .only("kind", "status", "due_on", "project", "project__title")
    )
    without_forecast = approved.exclude(declarations__kind=Declaration.Kind.FORECAST)
    # The actual declaration is due once the school year is over (1 July N+1 onwards).
    today = timezone.localdate()
    ended_year = today.year - 1 if today.month >= 7 else today.year - 2
    actual_due = approved.filter(
        campaign__year__lte=ended_year,
        declarations__kind=Declaration.Kind.FORECAST,
        declarations__status=Declaration.Status.VALIDATED,
    ).exclude(declarations__kind=Declaration.Kind.ACTUAL)
    return {
        "open": list(open_declarations[:RECENT]),
        "to_start": [
            (p, "Déclaration prévisionnelle")
            for p in without_forecast.select_related("campaign").only(*DUE_COLUMNS)[:RECENT]
        ]
        + [
            (p, "Déclaration réelle")
            for p in actual_due.select_related("campaign").only(*DUE_COLUMNS)[:RECENT]
        ],
    }


def _processor_queue(user):
    from declarations.models import Declaration

    waiting = (
        Declaration.objects.visible_to(user)
        .filter(status=Declaration.Status.SUBMITTED)
        .select_related("project__carrier")
    )
    items, count = first_and_count(waiting.order_by("submitted_at"))
    return {"count": count, "items": items}


def staff_dashboard(user):
    profile = user.staff_profile
    projects = Project.objects.visible_to(user)
    campaigns = _campaigns_of(user)
    current = campaigns[0] if campaigns else None
    in_campaign = projects.filter(campaign=current) if current else projects.none()
    is_advisor = rules.is_advisor(user)
    if is_advisor:
        wanted = list(AWAITING_REVIEW)
    elif rules.is_processor(user):
        wanted = [ProjectStatus.APPROVED]
    elif rules.is_committee(user):
        wanted = [ProjectStatus.PROPOSED]
    else:
        wanted = list(AWAITING_REVIEW) + [ProjectStatus.PROPOSED]
    attention = in_campaign.for_list().narrow().filter(status__in=wanted)
    if is_advisor:
        attention = attention.territories_first(user)
    # The totals and the « to handle » count come from the counts per status (one query).
    status_counts = _status_counts(in_campaign)
    by_status = {status: n for status, _, n in status_counts}
    totals = {
        "projects": sum(by_status.values()),
        "approved": by_status[ProjectStatus.APPROVED],
        **in_campaign.aggregate(carriers=Count("carrier", distinct=True)),
    }
    return {
        "caf": profile.caf,
        "territories": list(profile.territories.all()),
        "campaigns": campaigns,
        "current_campaign": current,
        "status_counts": status_counts,
        "attention": list(attention[:RECENT]),
        "attention_total": sum(by_status[status] for status in wanted),
        # The advisor's to-do leads straight to the instruction page (one place to act).
        "to_review": user.has_perm("committee.view_queue"),
        "declarations_waiting": _processor_queue(user) if rules.is_processor(user) else None,
        "attention_caption": "Projets à traiter, vos territoires d'abord"
        if is_advisor
        else "Projets à traiter",
        "totals": totals,
        "signups": _pending_signups(user),
        "unanswered": _unanswered_messages(user)
        if is_advisor or rules.is_caf_admin(user)
        else None,
        "failed_emails": list(
            OutboundEmail.objects.visible_to(user).filter(status=OutboundEmail.Status.FAILED)[
                :RECENT
            ]
        )
        if rules.is_caf_admin(user)
        else [],
    }


def _unanswered_messages(user):
    """Projects whose last message comes from the carrier: « nouveaux messages » to answer."""
    last = ProjectMessage.objects.filter(project=OuterRef("pk")).order_by("-created_at", "-id")
    waiting = (
        Project.objects.visible_to(user)
        .annotate(last_from_caf=Subquery(last.values("from_caf")[:1]))
        .filter(last_from_caf=False)
        .annotate(last_message_at=Subquery(last.values("created_at")[:1]))
        .select_related("carrier")
        .order_by("last_message_at")
    )
    items, count = first_and_count(waiting)
    return {"count": count, "items": items}


def _pending_signups(user):
    """Structures waiting for an account, for those of the Caf who answer them."""
    if not rules.can(user, "projects.review_signups"):
        return None
    pending = CarrierSignup.objects.visible_to(user).filter(status=CarrierSignup.Status.PENDING)
    items, count = first_and_count(pending.order_by("created_at"))
    return {"count": count, "items": items}


def national_dashboard(user):
    from . import setup

    cafs = list(setup.with_setup_status(Caf.objects.order_by("departement")))
    to_finish = [caf for caf in cafs if not all(done for _, done, _ in setup.setup_steps(caf))]
    return {
        "baremes": list(Bareme.objects.all()[:5]),
        "caf_count": len(cafs),
        "cafs_to_finish": to_finish[:RECENT],
        "cafs_to_finish_count": len(to_finish),
    }


def pending_invitations(user):
    """Invitations waiting for this person's answer (an invited account gives nothing before)."""
    return list(
        user.carrier_memberships.filter(accepted_at__isnull=True).select_related(
            "carrier", "invited_by"
        )
    )


def partner_dashboard(user):
    """A partner account's home (issue 18): the sessions it sits on, through its scope."""
    from committee.models import CommitteeSession

    sessions = (
        CommitteeSession.objects.visible_to(user)
        .select_related("campaign")
        .annotate(items_count=Count("items"))
        .order_by("-date", "pk")
    )
    return {"account": user.partner_profile_or_none, "sessions": list(sessions)}


def dashboard_for(user):
    if rules.is_carrier_user(user):
        context = carrier_dashboard(user)
        context["invitations"] = pending_invitations(user)
        return "dashboards/carrier.html", context
    if rules.is_national_admin(user):
        return "dashboards/national.html", national_dashboard(user)
    if rules.is_caf_staff(user):
        return "dashboards/staff.html", staff_dashboard(user)
    if rules.is_partner(user):
        return "dashboards/partner.html", partner_dashboard(user)
    return "dashboards/none.html", {"invitations": pending_invitations(user)}
