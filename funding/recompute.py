"""Recompute the PS of every approved project of a campaign with the engine, in a few queries.

Used to check a batch after a barème or policy change, and by the benchmark.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from projects.models import BudgetLine, Collective, Project, ProjectStatus

from . import engine
from .models import Bareme, CafPolicy


@dataclass
class Report:
    projects: int
    total_ps: Decimal
    results: dict


def recompute_campaign(*, year, caf=None):
    projects = Project.objects.filter(campaign__year=year, status=ProjectStatus.APPROVED)
    if caf is not None:
        projects = projects.filter(campaign__caf=caf)
    projects = list(
        projects.select_related("carrier", "campaign").only(
            "id", "agreed_collectives", "carrier__kind", "campaign__caf_id", "campaign__year"
        )
    )
    ids = [p.pk for p in projects]
    charges = defaultdict(dict)
    for project_id, account, amount in BudgetLine.objects.filter(
        project_id__in=ids, account__startswith="6"
    ).values_list("project_id", "account", "amount"):
        charges[project_id][account] = charges[project_id].get(account, Decimal(0)) + amount
    weeks = defaultdict(list)
    for project_id, planned in Collective.objects.filter(project_id__in=ids).values_list(
        "project_id", "planned_weeks"
    ):
        weeks[project_id].append(planned)
    bareme = Bareme.objects.get(year=year).to_engine()
    min_weeks = dict(CafPolicy.objects.values_list("caf_id", "min_weeks"))
    results, total = {}, Decimal(0)
    for project in projects:
        collectives = project.agreed_collectives or len(weeks[project.pk]) or 1
        case = engine.FundingCase(
            bareme=bareme,
            carrier_kind=project.carrier.kind,
            collectives_agreed=collectives,
            min_weeks=min_weeks.get(project.campaign.caf_id, 27),
            forecast=engine.Declaration(
                collectives=collectives,
                weeks=min(weeks[project.pk], default=0),
                charges=charges[project.pk],
            ),
        )
        result = engine.compute(case).forecast
        results[project.pk] = result.ps
        total += result.ps
    return Report(projects=len(projects), total_ps=total, results=results)
