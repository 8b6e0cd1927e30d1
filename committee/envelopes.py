"""Envelopes (issue 18): what each financer (a partner, or the Caf) may commit over a campaign,
what is committed, proposed and available, and the warning before an overrun, traced once the
person confirms."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from clasportal.formatting import format_euros
from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import BudgetLine, Financer

from .financers import Envelope, FinancerDecision, SchemeRequest
from .models import AgendaItem, Decision

ZERO = Decimal("0")


class EnvelopeOverrun(TransitionError):
    """The decision would take a financer past its envelope: asked again with `confirm`."""

    def __init__(self, financer, envelope, committed, amount):
        self.financer, self.envelope, self.committed, self.amount = (
            financer,
            envelope,
            committed,
            amount,
        )
        self.overrun = committed + amount - envelope
        super().__init__(
            f"L'enveloppe de {financer} pour la campagne est de {format_euros(envelope)} : "
            f"{format_euros(committed)} déjà engagés, cette décision de "
            f"{format_euros(amount)} la dépasserait de {format_euros(self.overrun)}."
        )


def envelope_of(campaign, partner=None):
    return Envelope.objects.filter(campaign=campaign, partner=partner).first()


def partner_committed(campaign, partner, exclude=None):
    decisions = FinancerDecision.objects.filter(
        project__campaign=campaign, partner=partner, outcome=FinancerDecision.Outcome.GRANTED
    )
    if exclude is not None:
        decisions = decisions.exclude(pk=exclude.pk)
    return decisions.aggregate(total=Sum("amount"))["total"] or ZERO


def caf_committed(campaign, exclude_item=None):
    decisions = Decision.objects.filter(
        item__session__campaign=campaign, outcome=Decision.Outcome.APPROVED
    )
    if exclude_item is not None:
        decisions = decisions.exclude(item=exclude_item)
    totals = decisions.aggregate(ps=Sum("forecast_ps"), bonus=Sum("forecast_bonus"))
    return (totals["ps"] or ZERO) + (totals["bonus"] or ZERO)


def check_envelope(campaign, partner, committed, amount, *, by, project, confirmed):
    """Raises EnvelopeOverrun unless the amount fits or the person confirmed; a confirmed
    overrun is traced (who, when, the envelope, what was committed before, the overrun)."""
    envelope = envelope_of(campaign, partner)
    if envelope is None or amount <= 0 or committed + amount <= envelope.amount:
        return
    name = partner.name if partner else "la Caf"
    overrun = EnvelopeOverrun(name, envelope.amount, committed, amount)
    if not confirmed:
        raise overrun
    workflow.record(
        project,
        by=by,
        action="envelope_overrun",
        note=overrun.message,
        data={
            "financer": name,
            "partner": partner.pk if partner else None,
            "envelope": str(envelope.amount),
            "committed_before": str(committed),
            "amount": str(amount),
            "overrun": str(overrun.overrun),
        },
    )


def envelope_board(session):
    """Per financer of the session's campaign: envelope, committed (decided, every session of
    the campaign), proposed (asked by the projects still undecided on this agenda), available.
    Constant queries whatever the agenda's length."""
    campaign = session.campaign
    # The session's Caf's partners (the session itself was read through visible_to).
    partners = list(session.caf.partners.filter(is_active=True).order_by("name"))
    envelopes = {e.partner_id: e.amount for e in Envelope.objects.filter(campaign=campaign)}
    committed = dict(
        FinancerDecision.objects.filter(
            project__campaign=campaign, outcome=FinancerDecision.Outcome.GRANTED
        )
        .values_list("partner")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    undecided = AgendaItem.objects.filter(session=session, decision__isnull=True)
    # Proposed: what this agenda's projects ask of each partner and the partner has not decided
    # yet at this session (two queries, added up here).
    decided = set(
        FinancerDecision.objects.filter(item__session=session).values_list(
            "project_id", "scheme_id"
        )
    )
    proposed = defaultdict(lambda: ZERO)
    asked = SchemeRequest.objects.filter(project__agenda_items__session=session).values_list(
        "project_id", "scheme_id", "scheme__partner_id", "amount"
    )
    for project_id, scheme_id, partner_id, amount in asked:
        if (project_id, scheme_id) not in decided:
            proposed[partner_id] += amount
    caf_proposed = (
        BudgetLine.objects.filter(
            project__agenda_items__in=undecided, account="74", financer=Financer.CAF
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    rows = [_board_row("Caf", envelopes.get(None), caf_committed(campaign), caf_proposed)]
    for partner in partners:
        if partner.pk in envelopes or partner.pk in committed or partner.pk in proposed:
            rows.append(
                _board_row(
                    partner.name,
                    envelopes.get(partner.pk),
                    committed.get(partner.pk, ZERO),
                    proposed.get(partner.pk, ZERO),
                )
            )
    return rows


def _board_row(name, envelope, committed, proposed):
    available = None if envelope is None else envelope - committed
    return {
        "financer": name,
        "envelope": envelope,
        "committed": committed,
        "proposed": proposed,
        "available": available,
        "exceeded": available is not None and available < 0,
        "short": available is not None and proposed > available,
    }
