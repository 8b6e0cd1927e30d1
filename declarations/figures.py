"""The figures a Caf reports for each campaign, at three stages that are never mixed:

- *décidé*: the projects the committee approved, each counted once, with the collectives it
  retained (the decision's count, the project's collectives in their order) and their planned
  children, and the PS and bonuses of the decision;
- *réalisé*: what the validated actual declarations say was run (collectives, children, weeks);
- *versé*: what the Caf paid (advances and balances paid, minus amounts recovered).

The headline numbers follow the Loire's report (projects, carriers, collectives, children, PS
paid): collectives and children are the actual ones where an actual declaration is validated,
otherwise the retained ones. A fixed number of queries whatever the number of projects: rows are
read once per stage and added up here."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from committee.models import Decision
from projects.models import Collective, Project, ProjectStatus

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


def _latest_decisions(project_ids):
    """The committee's last approving decision of each project (a revised decision replaces the
    earlier one)."""
    latest = {}
    rows = (
        Decision.objects.filter(item__project_id__in=project_ids, outcome=Decision.Outcome.APPROVED)
        .order_by("decided_at", "pk")
        .values_list("item__project_id", "collectives_retained", "forecast_ps", "forecast_bonus")
    )
    for project_id, retained, ps, bonus in rows:
        latest[project_id] = (retained, ps, bonus)
    return latest


def _planned_children(project_ids):
    """Planned children of each project's collectives, in the collectives' order."""
    children = defaultdict(list)
    rows = (
        Collective.objects.filter(project_id__in=project_ids)
        .order_by("project_id", "pk")
        .values_list("project_id", "planned_children")
    )
    for project_id, planned in rows:
        children[project_id].append(planned)
    return children


def _actuals(project_ids):
    rows = Declaration.objects.filter(
        project_id__in=project_ids,
        kind=Declaration.Kind.ACTUAL,
        status=Declaration.Status.VALIDATED,
    ).values_list("project_id", "collectives", "children", "weeks")
    return {
        project_id: (collectives, sum(int(c or 0) for c in children or []), weeks or 0)
        for project_id, collectives, children, weeks in rows
    }


def _payments(project_ids):
    paid, recovered = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    rows = Payment.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "kind", "status", "amount"
    )
    for project_id, kind, status, amount in rows:
        if kind in PAID_KINDS and status == Payment.Status.PAID:
            paid[project_id] += amount
        elif kind == Payment.Kind.RECOVERY and status == Payment.Status.RECOVERED:
            recovered[project_id] += amount
    return paid, recovered


def compute(campaigns):
    """Figures per campaign and, per campaign, per territory: ({campaign_pk: Figures},
    {campaign_pk: {territory name: Figures}})."""
    campaign_ids = [c.pk for c in campaigns]
    projects = list(
        Project.objects.filter(campaign_id__in=campaign_ids, status=ProjectStatus.APPROVED)
        .order_by()
        .values_list("pk", "campaign_id", "carrier_id", "carrier__commune__territory__name")
    )
    ids = [row[0] for row in projects]
    decisions = _latest_decisions(ids)
    children = _planned_children(ids)
    actuals = _actuals(ids)
    paid, recovered = _payments(ids)

    totals = {pk: Figures() for pk in campaign_ids}
    territories = {pk: defaultdict(Figures) for pk in campaign_ids}
    for pk, campaign_id, carrier_id, territory in projects:
        planned = children.get(pk, [])
        retained, ps, bonus = decisions.get(pk, (len(planned), ZERO, ZERO))
        retained = retained or len(planned)
        retained_children = sum(planned[:retained])
        for figures in (totals[campaign_id], territories[campaign_id][territory or NO_TERRITORY]):
            figures.projects += 1
            figures.carriers.add(carrier_id)
            figures.collectives_retained += retained
            figures.children_planned += retained_children
            figures.ps_decided += ps
            figures.bonus_decided += bonus
            figures.paid += paid[pk]
            figures.recovered += recovered[pk]
            if pk in actuals:
                run, run_children, weeks = actuals[pk]
                figures.actual_projects += 1
                figures.collectives_run += run
                figures.children_run += run_children
                figures.weeks_run += weeks
                figures.headline_collectives += run
                figures.headline_children += run_children
            else:
                figures.headline_collectives += retained
                figures.headline_children += retained_children
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
