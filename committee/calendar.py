"""The committee calendar follows its campaign: copying a campaign to the next year plans the
same sessions a year later (same place, no agenda, no decision), each traced in its history."""

from django.template.defaultfilters import pluralize

from projects.campaigns import shift_year

from .models import CommitteeSession


def copy_calendar(source, campaign, by):
    """Registered in projects.campaigns.COPY_HOOKS; returns a French summary for the message."""
    sessions = list(source.sessions.order_by("date", "pk"))
    for session in sessions:
        planned = CommitteeSession(
            caf_id=campaign.caf_id,
            campaign=campaign,
            date=shift_year(session.date, campaign.year - source.year),
            place=session.place,
            created_by=by,
        )
        planned._change_reason = f"Calendrier copié de la campagne {source.school_year}"
        planned.save()
    if not sessions:
        return ""
    return f"{len(sessions)} comité{pluralize(len(sessions))} planifié{pluralize(len(sessions))}"
