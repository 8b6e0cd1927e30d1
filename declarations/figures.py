"""The figures a Caf reports for each campaign, at three stages that are never mixed:

- *décidé*: the projects the committee approved, each counted once, with the collectives it
  retained (the decision's count, the project's collectives in their order) and their planned
  children, and the PS and bonuses of the decision;
- *réalisé*: what the validated actual declarations say was run (collectives, children, weeks);
- *versé*: what the Caf paid (advances and balances paid, minus amounts recovered).

The headline numbers follow the Loire's report (projects, carriers, collectives, children, PS
paid): collectives and children are the actual ones where an actual declaration is validated,
otherwise the retained ones. One query whatever the number of projects and campaigns, added up
by PostgreSQL per campaign and territory (FIGURES_SQL), kept in the cache until one of the rows
they are read from changes (figures_cache)."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import connection

from committee.models import Decision
from projects.models import Collective, ProjectStatus

from . import figures_cache
from .models import Declaration, Payment

ZERO = Decimal("0")
PAID_KINDS = (Payment.Kind.FIRST_ADVANCE, Payment.Kind.SECOND_ADVANCE, Payment.Kind.BALANCE)
NO_TERRITORY = "Hors territoire"


@dataclass
class Figures:
    projects: int = 0
    carriers: set = field(default_factory=set)
    collectives_retained: int = 0
    children_planned: int = 0
    ps_decided: Decimal = ZERO
    bonus_decided: Decimal = ZERO
    actual_projects: int = 0
    collectives_run: int = 0
    children_run: int = 0
    weeks_run: int = 0
    paid: Decimal = ZERO
    recovered: Decimal = ZERO
    # Per project: (collectives, children) actually run, else retained.
    headline_collectives: int = 0
    headline_children: int = 0

    @property
    def carrier_count(self):
        return len(self.carriers)

    @property
    def net_paid(self):
        return self.paid - self.recovered

    def merge(self, other):
        """Add another campaign's figures (the national consolidation)."""
        for name in self.__dataclass_fields__:
            if name == "carriers":
                # Carriers belong to one Caf: the sets of two Caf never overlap.
                self.carriers |= other.carriers
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def as_row(self):
        return {
            "projects": self.projects,
            "carriers": self.carrier_count,
            "collectives": self.headline_collectives,
            "children": self.headline_children,
            "collectives_retained": self.collectives_retained,
            "children_planned": self.children_planned,
            "ps_decided": self.ps_decided,
            "bonus_decided": self.bonus_decided,
            "actual_projects": self.actual_projects,
            "collectives_run": self.collectives_run,
            "children_run": self.children_run,
            "weeks_run": self.weeks_run,
            "paid": self.net_paid,
        }


# One row per (campaign, territory), added up by PostgreSQL from one row per approved project.
# Per project: the committee's last approving decision (a revised decision replaces the
# earlier one), its collectives retained (all of them when the decision gives no count) and
# their planned children in the collectives' order, the validated actual declaration, and the
# money paid (advances and balances) and recovered. Written as SQL because building the same
# thing through the ORM cost more CPU than running it (issue 21): the page pays a fixed price
# whatever the number of projects. tests/test_figures.py checks it against the row-by-row
# reading it replaced.
FIGURES_SQL = """
WITH approved AS (
    SELECT project.campaign_id,
           COALESCE(NULLIF(territory.name, ''), %(no_territory)s) AS territory,
           project.carrier_id,
           COALESCE(NULLIF(decision.collectives_retained, 0), planned.count) AS retained,
           planned.children AS retained_children,
           COALESCE(decision.forecast_ps, 0) AS ps,
           COALESCE(decision.forecast_bonus, 0) AS bonus,
           actual.collectives AS run,
           actual.children AS run_children,
           actual.weeks AS run_weeks,
           COALESCE(money.paid, 0) AS paid,
           COALESCE(money.recovered, 0) AS recovered
    FROM projects_project project
    JOIN projects_carrier carrier ON carrier.id = project.carrier_id
    JOIN clasportal_commune commune ON commune.id = carrier.commune_id
    LEFT JOIN clasportal_territory territory ON territory.id = commune.territory_id
    LEFT JOIN LATERAL (
        SELECT decision.collectives_retained, decision.forecast_ps, decision.forecast_bonus
        FROM committee_decision decision
        JOIN committee_agendaitem item ON item.id = decision.item_id
        WHERE item.project_id = project.id AND decision.outcome = %(approved)s
        ORDER BY decision.decided_at DESC, decision.id DESC
        LIMIT 1
    ) decision ON TRUE
    CROSS JOIN LATERAL (
        SELECT COUNT(*) AS count,
               COALESCE(SUM(ranked.planned_children) FILTER (
                   WHERE ranked.position <= COALESCE(
                       NULLIF(decision.collectives_retained, 0), ranked.count)
               ), 0) AS children
        FROM (
            SELECT collective.planned_children,
                   ROW_NUMBER() OVER (ORDER BY collective.id) AS position,
                   COUNT(*) OVER () AS count
            FROM projects_collective collective
            WHERE collective.project_id = project.id
        ) ranked
    ) planned
    LEFT JOIN LATERAL (
        SELECT declaration.collectives, declaration.weeks,
               (SELECT COALESCE(SUM(TRUNC(NULLIF(child, '')::numeric)), 0)
                FROM jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(declaration.children) = 'array'
                         THEN declaration.children ELSE '[]'::jsonb END
                ) AS child) AS children
        FROM declarations_declaration declaration
        WHERE declaration.project_id = project.id
          AND declaration.kind = %(actual)s AND declaration.status = %(validated)s
        ORDER BY declaration.id DESC
        LIMIT 1
    ) actual ON TRUE
    LEFT JOIN LATERAL (
        SELECT SUM(payment.amount) FILTER (
                   WHERE payment.kind = ANY(%(paid_kinds)s) AND payment.status = %(paid)s
               ) AS paid,
               SUM(payment.amount) FILTER (
                   WHERE payment.kind = %(recovery)s AND payment.status = %(recovered)s
               ) AS recovered
        FROM declarations_payment payment
        WHERE payment.project_id = project.id
    ) money ON TRUE
    WHERE project.campaign_id = ANY(%(campaigns)s) AND project.status = %(status)s
)
SELECT campaign_id, territory,
       COUNT(*), ARRAY_AGG(DISTINCT carrier_id),
       SUM(retained), SUM(retained_children), SUM(ps), SUM(bonus),
       COUNT(run), COALESCE(SUM(run), 0), COALESCE(SUM(run_children), 0),
       COALESCE(SUM(run_weeks), 0), SUM(paid), SUM(recovered),
       SUM(COALESCE(run, retained)),
       SUM(CASE WHEN run IS NULL THEN retained_children ELSE run_children END)
FROM approved
GROUP BY campaign_id, territory
"""

# The columns of FIGURES_SQL after the campaign and the territory, in Figures' names.
SUMMED = (
    "projects",
    "carriers",
    "collectives_retained",
    "children_planned",
    "ps_decided",
    "bonus_decided",
    "actual_projects",
    "collectives_run",
    "children_run",
    "weeks_run",
    "paid",
    "recovered",
    "headline_collectives",
    "headline_children",
)
AMOUNTS = {"ps_decided", "bonus_decided", "paid", "recovered"}


def _compute(campaign_ids):
    """{campaign_pk: (Figures, {territory name: Figures})}, read from the database."""
    computed = {pk: (Figures(), {}) for pk in campaign_ids}
    if not campaign_ids:
        return computed
    with connection.cursor() as cursor:
        cursor.execute(
            FIGURES_SQL,
            {
                "campaigns": list(campaign_ids),
                "status": ProjectStatus.APPROVED,
                "approved": Decision.Outcome.APPROVED,
                "actual": Declaration.Kind.ACTUAL,
                "validated": Declaration.Status.VALIDATED,
                "paid_kinds": list(PAID_KINDS),
                "paid": Payment.Status.PAID,
                "recovery": Payment.Kind.RECOVERY,
                "recovered": Payment.Status.RECOVERED,
                "no_territory": NO_TERRITORY,
            },
        )
        rows = cursor.fetchall()
    for campaign_id, territory, *values in rows:
        summed = dict(zip(SUMMED, values, strict=True))
        # PostgreSQL sums integers as numeric: back to int; amounts stay Decimal.
        figures = Figures(
            carriers=set(summed.pop("carriers")),
            **{name: value if name in AMOUNTS else int(value) for name, value in summed.items()},
        )
        total, territories = computed[campaign_id]
        territories[territory] = figures
        total.merge(replace(figures, carriers=set(figures.carriers)))
    return computed


def compute(campaigns):
    """Figures per campaign and, per campaign, per territory: ({campaign_pk: Figures},
    {campaign_pk: {territory name: Figures}})."""
    computed = figures_cache.per_campaign("figures", campaigns, _compute)
    totals = {pk: total for pk, (total, _) in computed.items()}
    territories = {
        pk: defaultdict(Figures, by_territory) for pk, (_, by_territory) in computed.items()
    }
    return totals, territories


def area_shares(campaign):
    """Where the approved projects' collectives run: per commune, and the rural and QPV shares
    (collectives and planned children), for the departmental bilan."""
    rows = (
        Collective.objects.filter(
            project__campaign=campaign, project__status=ProjectStatus.APPROVED
        )
        .order_by()
        .values_list(
            "commune__name",
            "commune__insee_code",
            "is_rural",
            "commune__is_qpv",
            "planned_children",
        )
    )
    communes = {}
    total = {"collectives": 0, "children": 0}
    rural = {"collectives": 0, "children": 0}
    qpv = {"collectives": 0, "children": 0}
    for name, insee, is_rural, is_qpv, children in rows:
        commune = communes.setdefault(
            insee,
            {
                "name": name,
                "insee": insee,
                "collectives": 0,
                "children": 0,
                "rural": False,
                "qpv": bool(is_qpv),
            },
        )
        commune["collectives"] += 1
        commune["children"] += children
        commune["rural"] = commune["rural"] or is_rural
        for bucket, counted in ((total, True), (rural, is_rural), (qpv, is_qpv)):
            if counted:
                bucket["collectives"] += 1
                bucket["children"] += children

    def share(part, key):
        return (
            (Decimal(part[key]) * 100 / total[key]).quantize(Decimal("0.1")) if total[key] else None
        )

    return {
        "communes": sorted(communes.values(), key=lambda c: c["name"]),
        "rural": {**rural, "share": share(rural, "collectives")},
        "qpv": {**qpv, "share": share(qpv, "collectives")},
        "total": total,
    }
