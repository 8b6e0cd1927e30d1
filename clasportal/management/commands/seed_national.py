"""A national dataset for benchmarks: every Caf of France, five campaigns, bulk inserted.

About 101 Caf, 3 000 carriers, 4 500 projects and 13 000 collectives a year, kept five years,
with committee decisions, declarations and payments for past years. One Caf (the Nord's, by
default) is ten times as large as each other one over the five years, so that its advisor's
lists are measured where they hurt; every Caf has an open committee session for the current
campaign, and the large one's holds 300 projects on its agenda. History tables are not
filled (bulk inserts bypass django-simple-history): this is synthetic data for measurements.
"""

import datetime
import random
import time
from decimal import ROUND_DOWN, Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clasportal.models import Caf, Commune, Role, StaffProfile, Territory
from committee.models import AgendaItem, CommitteeSession, Decision
from declarations.models import Declaration, Payment
from funding.cases import result_to_json
from funding.models import Bareme, CafPolicy, FundingComputation
from funding.services import compute_from_data, fingerprint
from projects.models import (
    BudgetLine,
    Campaign,
    Carrier,
    CarrierKind,
    CarrierMembership,
    Collective,
    Project,
    ProjectStatus,
    SchoolLevel,
    Situation,
)

from .seed_demo import make_siret

DEPARTEMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + [
    "2A",
    "2B",
    "971",
    "972",
    "973",
    "974",
    "976",
]
BATCH = 2000
LARGE_FACTOR = 10
CENT = Decimal("0.01")
PASSWORD = "demo-clas-2026"


class Command(BaseCommand):
    help = "Charge un jeu national (101 Caf, 5 campagnes) pour les mesures de performance."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--carriers", type=int, default=3000)
        parser.add_argument("--projects-per-year", type=int, default=4500)
        parser.add_argument(
            "--large-caf",
            default="59",
            help="département de la Caf dix fois plus grande que chacune des autres",
        )
        parser.add_argument(
            "--agenda-items", type=int, default=300, help="projets au comité ouvert de cette Caf"
        )

    def handle(self, *args, years, carriers, projects_per_year, large_caf, agenda_items, **options):
        if large_caf not in DEPARTEMENTS:
            raise CommandError(f"Département inconnu : {large_caf}.")
        self.large_caf, self.agenda_items = large_caf, agenda_items
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError(
                "seed_national refuse de s'exécuter avec les réglages de production."
            )
        if Caf.objects.filter(number="100").exists():
            raise CommandError("Le jeu national est déjà chargé.")
        started = time.perf_counter()
        self.rng = random.Random(101)
        with transaction.atomic():
            self._seed(years, carriers, projects_per_year)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Jeu national chargé en {elapsed:.1f} s : {Project.objects.count()} projets, "
                f"{Collective.objects.count()} collectifs, {Payment.objects.count()} paiements."
            )
        )

    def _seed(self, years, carrier_count, per_year):
        rng = self.rng
        cafs = Caf.objects.bulk_create(
            Caf(number=f"{i + 100}", name=f"Caf {dep}", departement=dep)
            for i, dep in enumerate(DEPARTEMENTS)
        )
        CafPolicy.objects.bulk_create(CafPolicy(caf=caf) for caf in cafs)
        territories = Territory.objects.bulk_create(
            Territory(caf=caf, name=f"Secteur {n}") for caf in cafs for n in range(1, 4)
        )
        communes = Commune.objects.bulk_create(
            Commune(
                insee_code=f"N{index:04d}",
                name=f"Commune {index}",
                caf=t.caf,
                territory=t,
                is_rural=index % 5 == 0,
            )
            for index, t in enumerate(t for t in territories for _ in range(4))
        )
        communes_by_caf = {}
        for commune in communes:
            communes_by_caf.setdefault(commune.caf_id, []).append(commune)

        password = make_password(PASSWORD)
        User = get_user_model()
        roles = [Role.ADVISOR, Role.PROCESSOR, Role.COMMITTEE]
        users = User.objects.bulk_create(
            User(
                email=f"{role}-{caf.number.lower()}@national.clas.fr",
                password=password,
                first_name="Agent",
                last_name=caf.name,
            )
            for caf in cafs
            for role in roles
        )
        StaffProfile.objects.bulk_create(
            StaffProfile(user=user, caf=cafs[i // 3], role=roles[i % 3])
            for i, user in enumerate(users)
        )

        kinds = (
            [CarrierKind.ASSOCIATION] * 6
            + [CarrierKind.COLLECTIVITE] * 3
            + [CarrierKind.ETABLISSEMENT_PUBLIC]
        )
        # The large Caf takes ten shares of the carriers, each other Caf one; projects go round
        # the carriers, so it has ten times the projects of any other Caf, every year.
        large = next(caf for caf in cafs if caf.departement == self.large_caf)
        shares = cafs + [large] * (LARGE_FACTOR - 1)
        new_carriers = []
        for i in range(carrier_count):
            caf = shares[i % len(shares)]
            new_carriers.append(
                Carrier(
                    legal_name=f"Structure {i + 1} ({caf.departement})",
                    siret=make_siret(900_000 + i),
                    kind=rng.choice(kinds),
                    commune=rng.choice(communes_by_caf[caf.pk]),
                    caf=caf,
                    legal_representative="Représentant",
                    email=f"structure{i}@exemple.fr",
                )
            )
        carriers = Carrier.objects.bulk_create(new_carriers, batch_size=BATCH)
        members = User.objects.bulk_create(
            (
                User(email=f"porteur-{c.pk}@national.clas.fr", password=password)
                for c in carriers[::10]
            ),
            batch_size=BATCH,
        )
        CarrierMembership.objects.bulk_create(
            (
                CarrierMembership(carrier=c, user=u)
                for c, u in zip(carriers[::10], members, strict=True)
            ),
            batch_size=BATCH,
        )

        first_year = 2026 - years + 1
        baremes = {b.year: b for b in Bareme.objects.all()}
        for year in range(first_year, 2027):
            bareme = baremes.get(year) or baremes[min(baremes, key=lambda y: abs(y - year))]
            self._year(year, cafs, carriers, per_year, bareme, current=year == 2026)

    def _year(self, year, cafs, carriers, per_year, bareme, current):
        rng = self.rng
        campaigns = {
            caf.pk: c
            for caf, c in zip(
                cafs,
                Campaign.objects.bulk_create(
                    Campaign(
                        caf=caf,
                        year=year,
                        opens_on=datetime.date(year, 6, 1),
                        closes_on=datetime.date(year, 7, 31)
                        if not current
                        else datetime.date(year, 12, 31),
                    )
                    for caf in cafs
                ),
                strict=True,
            )
        }
        statuses = (
            (
                [ProjectStatus.APPROVED] * 17
                + [ProjectStatus.REFUSED] * 2
                + [ProjectStatus.ADJOURNED]
            )
            if not current
            else list(ProjectStatus.values)
        )
        new_projects = []
        for n in range(per_year):
            carrier = carriers[n % len(carriers)]
            new_projects.append(
                Project(
                    carrier=carrier,
                    campaign=campaigns[carrier.caf_id],
                    title=f"Projet {year} n°{n}",
                    situation=rng.choice(Situation.values),
                    status=rng.choice(statuses),
                    school_level=rng.choice(SchoolLevel.values),
                )
            )
        projects = Project.objects.bulk_create(new_projects, batch_size=BATCH)
        collectives = []
        for project in projects:
            count = rng.choice((2, 3, 3, 3, 4))
            if project.status == ProjectStatus.APPROVED:
                project.agreed_collectives = count
            for k in range(count):
                collectives.append(
                    Collective(
                        project=project,
                        name=f"Groupe {k + 1}",
                        school_level=project.school_level,
                        commune_id=project.carrier.commune_id,
                        planned_children=rng.randint(8, 12),
                        planned_weeks=rng.randint(27, 33),
                        weekdays=["mardi", "jeudi"],
                    )
                )
        Project.objects.bulk_update(projects, ["agreed_collectives"], batch_size=BATCH)
        Collective.objects.bulk_create(collectives, batch_size=BATCH)
        lines = []
        for project in projects:
            staff = Decimal(rng.randint(5000, 9000) * (project.agreed_collectives or 3))
            lines += [
                BudgetLine(project=project, account="64", amount=staff),
                BudgetLine(project=project, account="60", amount=Decimal(800)),
                BudgetLine(project=project, account="74", financer="commune", amount=staff + 800),
            ]
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        if current:
            self._open_sessions(year, cafs, campaigns, projects)
            return
        self._decisions_and_money(year, cafs, campaigns, projects, bareme)

    def _decisions_and_money(self, year, cafs, campaigns, projects, bareme):
        sessions = {
            s.caf_id: s
            for s in CommitteeSession.objects.bulk_create(
                CommitteeSession(
                    caf=caf,
                    campaign=campaigns[caf.pk],
                    date=datetime.date(year, 10, 15),
                    place=f"{caf.name}",
                    status="closed",
                )
                for caf in cafs
            )
        }
        items = AgendaItem.objects.bulk_create(
            (
                AgendaItem(session=sessions[p.campaign.caf_id], project=p, position=i)
                for i, p in enumerate(projects)
            ),
            batch_size=BATCH,
        )
        carrier_kinds = dict(
            Carrier.objects.filter(pk__in={p.carrier_id for p in projects}).values_list(
                "pk", "kind"
            )
        )
        engine_baremes = cache(Bareme.objects.engine_for_year)
        computations, decisions = [], []
        for item in items:
            project = item.project
            if project.status != ProjectStatus.APPROVED:
                continue
            # A real contract case through the one path into the engine: the stored decision
            # recomputes to the cent (funding.recompute, bench/exports_and_recompute.py).
            collectives = project.agreed_collectives
            data = {
                "bareme_year": bareme.year,
                "carrier_kind": carrier_kinds[project.carrier_id],
                "collectives_agreed": collectives,
                "forecast": {
                    "collectives": collectives,
                    "weeks": self.rng.randint(28, 36),
                    "charges": {"64": str(self.rng.randint(6000, 9800) * collectives)},
                },
            }
            case, result = compute_from_data(data, baremes=engine_baremes)
            ps = result.forecast.ps
            computations.append(
                FundingComputation(
                    project=project,
                    kind="forecast",
                    bareme=bareme,
                    min_weeks=case.min_weeks,
                    inputs=data,
                    fingerprint=fingerprint(data),
                    result=result_to_json(result),
                    right=result.forecast.right,
                    is_decision=True,
                )
            )
            decisions.append((item, ps))
        computations = FundingComputation.objects.bulk_create(computations, batch_size=BATCH)
        Decision.objects.bulk_create(
            (
                Decision(
                    item=item,
                    outcome="approved",
                    collectives_retained=item.project.agreed_collectives,
                    forecast_ps=ps,
                    computation=c,
                )
                for (item, ps), c in zip(decisions, computations, strict=True)
            ),
            batch_size=BATCH,
        )
        declarations, payments = [], []
        for computation in computations:
            project = computation.project
            for kind in ("forecast", "actual"):
                declarations.append(
                    Declaration(
                        project=project,
                        kind=kind,
                        status="validated",
                        collectives=project.agreed_collectives,
                        weeks=30,
                        children=[10] * project.agreed_collectives,
                        right=computation.right,
                        computation=computation,
                    )
                )
        Declaration.objects.bulk_create(declarations, batch_size=BATCH)
        by_project = {d.project_id: d for d in declarations if d.kind == "forecast"}
        for computation in computations:
            right = computation.right
            advance = (right * Decimal("0.35")).quantize(CENT, ROUND_DOWN)
            both = (right * Decimal("0.70")).quantize(CENT, ROUND_DOWN)
            declaration = by_project[computation.project_id]
            for kind, amount in (
                ("advance_1", advance),
                ("advance_2", both - advance),
                ("balance", right - both),
            ):
                payments.append(
                    Payment(
                        project=computation.project,
                        declaration=declaration,
                        kind=kind,
                        amount=amount,
                        status="paid",
                        computation=computation,
                    )
                )
        Payment.objects.bulk_create(payments, batch_size=BATCH)

    def _open_sessions(self, year, cafs, campaigns, projects):
        """The current campaign's committee, not yet held: one per Caf, its agenda made of the
        projects proposed to it; the large Caf's agenda holds ``agenda_items`` projects."""
        large = next(caf for caf in cafs if caf.departement == self.large_caf)
        on_large = [p for p in projects if p.campaign.caf_id == large.pk]
        # Exactly that many on its agenda: the others proposed at random wait in instruction.
        for n, project in enumerate(on_large):
            if n < self.agenda_items:
                project.status = ProjectStatus.PROPOSED
            elif project.status == ProjectStatus.PROPOSED:
                project.status = ProjectStatus.UNDER_REVIEW
        Project.objects.bulk_update(on_large, ["status"], batch_size=BATCH)
        sessions = {
            s.caf_id: s
            for s in CommitteeSession.objects.bulk_create(
                CommitteeSession(
                    caf=caf,
                    campaign=campaigns[caf.pk],
                    date=datetime.date(year, 12, 10),
                    place=f"{caf.name}, salle du conseil",
                    status="open",
                )
                for caf in cafs
            )
        }
        positions = {}
        items = []
        for project in projects:
            if project.status != ProjectStatus.PROPOSED:
                continue
            caf_id = project.campaign.caf_id
            positions[caf_id] = positions.get(caf_id, -1) + 1
            items.append(
                AgendaItem(session=sessions[caf_id], project=project, position=positions[caf_id])
            )
        AgendaItem.objects.bulk_create(items, batch_size=BATCH)
        # The committee member of each Caf sits in it, so the decision forms are on the page.
        members = dict(
            StaffProfile.objects.filter(
                role=Role.COMMITTEE, user__email__endswith="@national.clas.fr"
            ).values_list("caf_id", "user_id")
        )
        Through = CommitteeSession.members.through
        Through.objects.bulk_create(
            Through(committeesession_id=s.pk, user_id=members[caf_id])
            for caf_id, s in sessions.items()
            if caf_id in members
        )
