"""Figures per financer and per scheme (issue 18): what each co-financer granted at the
committee, campaign by campaign, with the change on a year; the Caf's own line is its decided PS
and bonuses. One query whatever the number of decisions."""

from collections import defaultdict
from decimal import Decimal

from committee.models import FinancerDecision

ZERO = Decimal("0")
CAF = "Caf (PS et bonus)"


def change(current, previous):
    if not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def granted(campaigns):
    """({financer: {campaign_pk: [amount, carriers]}}, {(financer, scheme): {campaign_pk: …}})."""
    financers = defaultdict(lambda: defaultdict(lambda: [ZERO, set()]))
    schemes = defaultdict(lambda: defaultdict(lambda: [ZERO, set()]))
    rows = (
        FinancerDecision.objects.filter(
            project__campaign_id__in=[c.pk for c in campaigns],
            outcome=FinancerDecision.Outcome.GRANTED,
        )
        .order_by()
        .values_list(
            "project__campaign_id", "partner__name", "scheme__name", "project__carrier_id", "amount"
        )
    )
    for campaign_id, partner, scheme, carrier_id, amount in rows:
        buckets = [financers[partner][campaign_id]]
        if scheme:
            # Schemes are set per campaign: the same name of the same partner is the same scheme.
            buckets.append(schemes[(partner, scheme)][campaign_id])
        for bucket in buckets:
            bucket[0] += amount
            bucket[1].add(carrier_id)
    return financers, schemes


def rows(campaigns, totals):
    """The figures page's two tables: one row per financer (the Caf first) and one per scheme,
    each with its amount and carriers for the latest campaign, the year before, and the change."""
    if not campaigns:
        return [], []
    current = campaigns[0]
    previous = campaigns[1] if len(campaigns) > 1 else None
    financers, schemes = granted(campaigns)

    def row(name, by_campaign, scheme=""):
        now = by_campaign.get(current.pk, [ZERO, set()])
        before = by_campaign.get(previous.pk, [ZERO, set()]) if previous else None
        return {
            "financer": name,
            "scheme": scheme,
            "amount": now[0],
            "carriers": len(now[1]),
            "previous": before[0] if before else None,
            "change": change(now[0], before[0]) if before else None,
        }

    caf = {
        pk: [figures.ps_decided + figures.bonus_decided, figures.carriers]
        for pk, figures in totals.items()
    }
    financer_rows = [row(CAF, caf)] + [row(name, financers[name]) for name in sorted(financers)]
    scheme_rows = [
        row(partner, schemes[(partner, scheme)], scheme) for partner, scheme in sorted(schemes)
    ]
    return financer_rows, scheme_rows
