"""Envelopes (issue 18): what each financer (a partner, or the Caf) may commit over a campaign,
what is committed, proposed and available, and the warning before an overrun, traced once the
person confirms."""

from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clasportal.formatting import format_euros
from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import BudgetLine, Financer

from .financers import Envelope, FinancerDecision, SchemeRequest
from .models import CommitteeSession, Decision

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


# What a financer has committed on a campaign: one definition, read for one financer below and
# as a subquery per financer on the session's envelope board (`campaign` may be an OuterRef).
def _granted(campaign, partner):
    return FinancerDecision.objects.filter(
        project__campaign=campaign, partner=partner, outcome=FinancerDecision.Outcome.GRANTED
    )


def _approved(campaign):
    return Decision.objects.filter(
        item__session__campaign=campaign, outcome=Decision.Outcome.APPROVED
    )


def partner_committed(campaign, partner, exclude=None):
    decisions = _granted(campaign, partner)
    if exclude is not None:
        decisions = decisions.exclude(pk=exclude.pk)
    return decisions.aggregate(total=Sum("amount"))["total"] or ZERO


def caf_committed(campaign, exclude_item=None):
    decisions = _approved(campaign)
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


def _total(queryset, field, group):
    """The sum of `field` over `queryset` as a subquery (one row, grouped by a constant)."""
    return Subquery(
        queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def with_caf_board(sessions):
    """Sessions read with the Caf's row of their envelope board: the Caf's envelope for the
    campaign, what its approved decisions commit (every session of the campaign) and what the
    Caf lines of the budgets still undecided on this agenda propose. No query of its own."""
    zero = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))
    approved = _approved(OuterRef("campaign"))
    undecided_lines = BudgetLine.objects.filter(
        account="74",
        financer=Financer.CAF,
        project__agenda_items__session=OuterRef("pk"),
        project__agenda_items__decision__isnull=True,
    )
    return sessions.annotate(
        caf_envelope=Subquery(
            Envelope.objects.filter(campaign=OuterRef("campaign"), partner__isnull=True)
            .order_by("pk")
            .values("amount")[:1]
        ),
        caf_committed=Coalesce(
            _total(approved, F("forecast_ps") + F("forecast_bonus"), "outcome"), zero
        ),
        caf_proposed=Coalesce(_total(undecided_lines, "amount", "account"), zero),
    )


def with_partner_board(partners, session):
    """Partners read with their row of the session's envelope board: envelope, committed
    (granted, every session of the campaign), proposed (what this agenda's projects ask of the
    partner's schemes and the partner has not decided yet at this session)."""
    campaign_id = session.campaign_id
    granted = _granted(campaign_id, OuterRef("pk"))
    undecided = SchemeRequest.objects.filter(
        project__agenda_items__session=session, scheme__partner=OuterRef("pk")
    ).exclude(
        Exists(
            FinancerDecision.objects.filter(
                item__session=session, project=OuterRef("project"), scheme=OuterRef("scheme")
            )
        )
    )
    return partners.annotate(
        envelope=Subquery(
            Envelope.objects.filter(campaign_id=campaign_id, partner=OuterRef("pk"))
            .order_by("pk")
            .values("amount")[:1]
        ),
        committed=_total(granted, "amount", "partner"),
        proposed=_total(undecided, "amount", "scheme__partner"),
    )


def envelope_board(session, partners=None):
    """Per financer of the session's campaign: envelope, committed, proposed, available; the
    Caf first, then each active partner that has an envelope, a commitment or a request.
    `session` read through `with_caf_board` and `partners` through `with_partner_board` cost no
    query here; otherwise two are made."""
    if not hasattr(session, "caf_committed"):
        session = with_caf_board(CommitteeSession.objects.filter(pk=session.pk)).get()
    if partners is None:
        partners = with_partner_board(session.caf.partners.order_by("name"), session)
    rows = [_board_row("Caf", session.caf_envelope, session.caf_committed, session.caf_proposed)]
    for partner in partners:
        if not partner.is_active:
            continue
        if (
            partner.envelope is not None
            or partner.committed is not None
            or partner.proposed is not None
        ):
            rows.append(
                _board_row(
                    partner.name,
                    partner.envelope,
                    partner.committed or ZERO,
                    partner.proposed or ZERO,
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
