"""Figures per financer and per scheme (issue 18): what each co-financer granted at the
committee, campaign by campaign, with the change on a year; the Caf's own line is its decided PS
and bonuses. One query whatever the number of decisions, none once cached (figures_cache)."""

from collections import defaultdict
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Sum

from committee.models import FinancerDecision

from .figures_cache import per_campaign

ZERO = Decimal("0")
CAF = "Caf (PS et bonus)"


def change(current, previous):
    if not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def _granted(campaign_ids):
    """{campaign_pk: ({financer: [amount, carriers]}, {(financer, scheme): [amount, carriers]})},
    added up by the database per campaign, financer and scheme."""
    granted = {pk: ({}, {}) for pk in campaign_ids}
    rows = (
        FinancerDecision.objects.filter(
            project__campaign_id__in=campaign_ids, outcome=FinancerDecision.Outcome.GRANTED
        )
        .order_by()
        .values_list("project__campaign_id", "partner__name", "scheme__name")
        .annotate(total=Sum("amount"), carriers=ArrayAgg("project__carrier_id", distinct=True))
    )
    for campaign_id, partner, scheme, amount, carriers in rows:
        financers, schemes = granted[campaign_id]
        bucket = financers.setdefault(partner, [ZERO, set()])
        bucket[0] += amount
        bucket[1].update(carriers)
        if scheme:
            # Schemes are set per campaign: the same name of the same partner is the same scheme.
            bucket = schemes.setdefault((partner, scheme), [ZERO, set()])
            bucket[0] += amount
            bucket[1].update(carriers)
    return granted


def granted(campaigns):
    """({financer: {campaign_pk: [amount, carriers]}}, {(financer, scheme): {campaign_pk: …}});
    from the cache until a decision, scheme or partner changes (figures_cache)."""
    financers, schemes = defaultdict(dict), defaultdict(dict)
    for campaign_id, (by_financer, by_scheme) in per_campaign(
        "granted", campaigns, _granted
    ).items():
        for partner, bucket in by_financer.items():
            financers[partner][campaign_id] = bucket
        for pair, bucket in by_scheme.items():
            schemes[pair][campaign_id] = bucket
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
