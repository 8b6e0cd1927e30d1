"""Deterministic demo data: Caf Loire (42) and Caf Vosges (88), their people and projects."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from clasportal.models import Caf, Commune, Role, StaffProfile, Territory
from committee.models import AgendaItem, CommitteeSession, Decision
from funding.models import CafPolicy, FundingComputation
from funding.services import store_computation
from projects.completeness import request_case
from projects.models import (
    BudgetLine,
    Campaign,
    Carrier,
    CarrierMembership,
    Collective,
    DocumentType,
    Intervenant,
    Project,
    ProjectStatus,
    SchoolLevel,
    Situation,
)
from projects.validators import luhn_ok

from .. import demo_cofinancers, demo_consequences, demo_partners, demo_recoveries
from ..demo_controls import seed as seed_controls
from ..demo_data import (
    CAFS,
    CARRIER_USERS,
    CARRIERS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DOCUMENTS,
    PROJECT_TEXT,
    PROJECT_TITLES,
    STAFF,
    STATUS_CYCLE,
)


def make_siret(seed: int) -> str:
    base = f"{(7_828_000_000_000 + seed * 104_729) % 10**13:013d}"
    for digit in "0123456789":
        if luhn_ok(base + digit):
            return base + digit
    raise AssertionError("unreachable: one check digit always fits")


class Command(BaseCommand):
    help = "Charge les données de démonstration (Caf Loire et Vosges, comptes de démonstration)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiplie porteurs et projets")
        parser.add_argument("--reset", action="store_true", help="efface d'abord les données")
        parser.add_argument(
            "--if-empty", action="store_true", help="ne fait rien si des Caf existent déjà"
        )

    def handle(self, *args, scale, reset, if_empty, **options):
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError("seed_demo refuse de s'exécuter avec les réglages de production.")
        if scale < 1:
            raise CommandError("--scale doit être au moins 1.")
        if if_empty and Caf.objects.exists():
            self.stdout.write("Base déjà remplie : données de démonstration non rechargées.")
            return
        # Demo data sends no e-mail: nobody should receive a notification for a made-up project.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            if reset:
                self._reset()
            elif Caf.objects.filter(departement__in=CAFS).exists():
                raise CommandError("Les données de démonstration existent déjà (utilisez --reset).")
            self._seed(scale)
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration chargées : {Project.objects.count()} projets, "
                f"{Carrier.objects.count()} porteurs. Mot de passe des comptes : {DEMO_PASSWORD}"
            )
        )

    def _reset(self):
        from declarations.models import BilanResponse, Declaration, Payment
        from projects.models import CarrierSignup, Convention

        demo_cofinancers.reset()
        # Conventions and bilans hold their carriers and forms (protected keys): first.
        demo_partners.reset()
        Convention.objects.all().delete()
        BilanResponse.objects.all().delete()
        CarrierSignup.objects.all().delete()
        Payment.objects.all().delete()
        Declaration.objects.all().delete()
        Decision.objects.all().delete()
        AgendaItem.objects.all().delete()
        CommitteeSession.objects.all().delete()
        FundingComputation.objects.all().delete()
        DocumentType.objects.all().delete()
        Collective.objects.all().delete()
        Project.objects.all().delete()
        CarrierMembership.objects.all().delete()
        Carrier.objects.all().delete()
        Campaign.objects.all().delete()
        StaffProfile.objects.all().delete()
        CafPolicy.objects.all().delete()
        Commune.objects.all().delete()
        Territory.objects.all().delete()
        Caf.objects.all().delete()
        get_user_model().objects.filter(email__endswith=DEMO_DOMAIN).delete()

    def _user(self, email, first, last, **extra):
        User = get_user_model()
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, **extra
        )
        return user

    def _seed(self, scale):
        rng = random.Random(2026)
        today = timezone.localdate()
        cafs, communes, territories = {}, {}, {}
        for dept, spec in CAFS.items():
            caf = Caf.objects.create(
                number=spec["number"],
                name=spec["name"],
                departement=dept,
                address=f"Caf {spec['name']}",
            )
            CafPolicy.objects.create(caf=caf)
            for position, (name, situations, required) in enumerate(DOCUMENTS):
                DocumentType.objects.create(
                    caf=caf,
                    name=name,
                    situations=situations,
                    is_required=required,
                    position=position,
                )
            cafs[dept] = caf
            for territory_name, rows in spec["territories"].items():
                territory = Territory.objects.create(caf=caf, name=territory_name)
                territories[territory_name] = territory
                for insee, name, postcode, rural in rows:
                    communes[insee] = Commune.objects.create(
                        insee_code=insee,
                        name=name,
                        postcode=postcode,
                        caf=caf,
                        territory=territory,
                        is_rural=rural,
                    )

        self._user("cnaf@demo.clas.fr", "Hélène", "Nationale", is_national_admin=True)
        for email, first, last, dept, role, names in STAFF:
            user = self._user(email, first, last)
            profile = StaffProfile.objects.create(user=user, caf=cafs[dept], role=role)
            profile.territories.set([territories[n] for n in names])

        campaigns = {}
        for dept, caf in cafs.items():
            closed = Campaign.objects.create(
                caf=caf,
                year=2025,
                opens_on=datetime.date(2025, 6, 20),
                closes_on=datetime.date(2025, 7, 31),
            )
            # The 2026/2027 call stays open in the demo whatever the day it is loaded.
            current = Campaign.objects.create(
                caf=caf,
                year=2026,
                opens_on=datetime.date(2026, 6, 20),
                closes_on=max(datetime.date(2026, 12, 31), today + datetime.timedelta(days=60)),
                # The year's priorities, shown to carriers (dashboard, first step of a request).
                priorities=(
                    "Cette année, la Caf finance en priorité les collégiens des quartiers "
                    "prioritaires et les actions qui associent les parents."
                    if dept == "42"
                    else ""
                ),
            )
            campaigns[dept] = (closed, current)

        users = {email: self._user(email, *names) for email, names in CARRIER_USERS.items()}
        seed = 0
        status_index = 0
        for copy in range(scale):
            for legal_name, kind, insee, member_email, representative in CARRIERS:
                seed += 1
                commune = communes[insee]
                carrier = Carrier.objects.create(
                    legal_name=legal_name if copy == 0 else f"{legal_name} ({copy + 1})",
                    siret=make_siret(seed),
                    kind=kind,
                    commune=commune,
                    caf=commune.caf,
                    address=f"{rng.randint(1, 80)} rue de l'École",
                    legal_representative=representative,
                    email=f"contact{seed}@structure.example",
                    phone=f"04 77 {seed:02d} 12 34",
                )
                if copy == 0 and member_email:
                    CarrierMembership.objects.create(carrier=carrier, user=users[member_email])
                closed, current = campaigns[commune.caf.departement]
                count = 3 if member_email == "porteur@demo.clas.fr" else 2
                for index in range(count):
                    title, level = PROJECT_TITLES[(seed + index) % len(PROJECT_TITLES)]
                    previous = self._project(
                        carrier,
                        closed,
                        title,
                        level,
                        Situation.NEW_CARRIER if index == 0 else Situation.RENEWAL,
                        ProjectStatus.APPROVED,
                        rng,
                        communes_of=commune,
                    )
                    status = STATUS_CYCLE[status_index % len(STATUS_CYCLE)]
                    status_index += 1
                    situation = Situation.CONTINUING if index == 2 else Situation.RENEWAL
                    project = self._project(
                        carrier,
                        current,
                        title,
                        level,
                        situation,
                        status,
                        rng,
                        communes_of=commune,
                    )
                    project.previous = previous
                    project.save(update_fields=["previous"])
        for closed, current in campaigns.values():
            self._sessions(closed, current)
        self._conventions()
        self._declarations(campaigns["42"][0])
        demo_consequences.seed(campaigns["42"][0])
        seed_controls(campaigns["42"][0])
        demo_cofinancers.seed(self, rng)
        demo_partners.seed(DEMO_PASSWORD)
        demo_recoveries.seed()

    # The conventions of last year's agreed carriers (issue 15), in each Caf: a 4-year COF in its
    # second year, one in its last year, a 1-year first convention, a centre social on 5 years.
    CONVENTIONS = {
        "Association Réussir Ensemble": (4, None),
        "Commune de Firminy": (2, None),
        "Centre social Les Tilleuls": (5, datetime.date(2030, 8, 31)),
        "CCAS de Montbrison": (1, None),
        "Association Vosges Savoirs": (4, None),
        "Commune de Remiremont": (2, None),
        "Foyer rural de Gérardmer": (5, datetime.date(2030, 8, 31)),
    }

    def _conventions(self):
        from projects import conventions

        admins = {
            p.caf_id: p.user
            for p in StaffProfile.objects.filter(role=Role.CAF_ADMIN).select_related("user")
        }
        for carrier in Carrier.objects.order_by("pk"):
            years, social_centre_until = self.CONVENTIONS.get(
                carrier.legal_name.split(" (")[0], (1, None)
            )
            if social_centre_until:
                carrier.social_centre_until = social_centre_until
                carrier.save(update_fields=["social_centre_until"])
            approved = carrier.projects.filter(
                status=ProjectStatus.APPROVED, campaign__year=2025
            ).select_related("campaign")
            for project in approved:
                decision = Decision.objects.filter(item__project=project).first()
                if decision is None:
                    continue
                project.convention_years = years
                if years > 1:
                    project.convention_reason = "Action conduite depuis plusieurs années."
                project.save(update_fields=["convention_years", "convention_reason"])
                convention = conventions.agree(
                    project,
                    by=admins.get(carrier.caf_id),
                    collectives=decision.collectives_retained,
                    amount=decision.forecast_ps + decision.forecast_bonus,
                    computation=decision.computation,
                    years=years,
                )
                if not convention.signed_on:
                    convention.signed_on = datetime.date(2025, 11, 20)
                    convention.save(update_fields=["signed_on"])
        self._adjustment()

    def _adjustment(self):
        """The Vosges' 4-year convention has entered its second year with one more child per
        collective than agreed: the advisor sees an adjustment to validate."""
        from projects import conventions
        from projects.models import ConventionYear

        line = (
            ConventionYear.objects.filter(
                convention__carrier__legal_name__startswith="Association Vosges Savoirs",
                index=2,
                project__isnull=True,
            )
            .select_related("convention__carrier")
            .order_by("pk")
            .first()
        )
        if line is None:
            return
        carrier = line.convention.carrier
        campaign = carrier.caf.campaigns.get(year=line.year)
        member = carrier.memberships.select_related("user").order_by("pk").first()
        if member is None:
            return
        project = conventions.start_year(line.pk, campaign=campaign, by=member.user)
        for collective in project.collectives.all():
            collective.planned_children += 1
            collective.save(update_fields=["planned_children"])
        project.status = ProjectStatus.ADJUSTMENT
        project.submitted_at = timezone.now()
        project.save(update_fields=["status", "submitted_at"])

    def _declarations(self, closed):
        """Last year's approved projects in the Loire: forecast validated, advances opened."""
        from declarations import services

        processor = get_user_model().objects.get(email="gc@demo.clas.fr")
        for project in closed.projects.filter(status=ProjectStatus.APPROVED).select_related(
            "carrier", "campaign"
        ):
            member = project.carrier.memberships.select_related("user").first()
            if member is None:
                continue
            project.agreed_collectives = project.collectives.count()
            project.save(update_fields=["agreed_collectives"])
            forecast = services.open_declaration(project, "forecast", by=member.user)
            forecast.weeks_sept_dec = 12
            forecast.weeks_jan_aug = forecast.weeks - 12
            forecast.save()
            found = services.findings(forecast)
            services.submit(
                forecast.pk,
                by=member.user,
                justifications={
                    (f.code, f.field): "Effectif stable d'une année sur l'autre." for f in found
                },
            )
            for justification in forecast.justifications.all():
                services.decide_justification(justification.pk, by=processor, accepted=True)
            services.validate(forecast.pk, by=processor)

    def _sessions(self, closed, current):
        """A closed 2025 committee that approved last year's projects, an open 2026 one."""
        caf = closed.caf
        members = list(
            get_user_model().objects.filter(
                staff_profile__caf=caf, staff_profile__role=Role.COMMITTEE
            )
        )
        past = CommitteeSession.objects.create(
            caf=caf,
            campaign=closed,
            date=datetime.date(2025, 10, 14),
            place=f"Caf {caf.name}, salle du conseil",
            status=CommitteeSession.Status.CLOSED,
        )
        past.members.set(members)
        approved = closed.projects.filter(status=ProjectStatus.APPROVED).select_related(
            "carrier", "campaign"
        )
        for position, project in enumerate(approved):
            item = AgendaItem.objects.create(session=past, project=project, position=position)
            collectives = project.collectives.count()
            computation = store_computation(
                data=request_case(
                    project,
                    collectives=collectives,
                    bonus_children=project.bonus_children_requested,
                    bonus_parents=False,
                ),
                kind="forecast",
                project=project,
                is_decision=True,
            )
            forecast = computation.result["forecast"]
            Decision.objects.create(
                item=item,
                outcome="approved",
                collectives_retained=collectives,
                bonus_children_retained=project.bonus_children_requested,
                forecast_ps=forecast["ps"],
                forecast_bonus=forecast["bonus_children"],
                computation=computation,
            )
        upcoming = CommitteeSession.objects.create(
            caf=caf,
            campaign=current,
            date=timezone.localdate() + datetime.timedelta(days=14),
            place=f"Caf {caf.name}, salle du conseil",
        )
        upcoming.members.set(members)
        for position, project in enumerate(current.projects.filter(status=ProjectStatus.PROPOSED)):
            project.proposal = "approval"
            project.proposed_collectives = project.collectives.count()
            project.save(update_fields=["proposal", "proposed_collectives"])
            AgendaItem.objects.create(session=upcoming, project=project, position=position)

    def _project(self, carrier, campaign, title, level, situation, status, rng, communes_of):
        collectives = rng.randint(1, 4)
        submitted = status != ProjectStatus.DRAFT
        submitted_at = None
        if submitted:
            submitted_at = timezone.make_aware(
                datetime.datetime(campaign.year, 7, rng.randint(1, 20), 10, 30)
            )
        elementary = level == SchoolLevel.ELEMENTAIRE
        project = Project.objects.create(
            carrier=carrier,
            campaign=campaign,
            title=title,
            situation=situation,
            status=status,
            school_level=level,
            agreed_collectives=collectives if status == ProjectStatus.APPROVED else None,
            submitted_at=submitted_at,
            public_levels=["CP", "CE1", "CE2"] if elementary else ["6e", "5e"],
            coordinator_has_bac2=True,
            **PROJECT_TEXT,
        )
        if submitted and rng.random() < 0.5:
            project.bonus_children_requested = True
            project.bonus_children_collectives = 1
            project.bonus_children_project = "Un fil rouge « raconter son quartier » sur l'année."
            project.bonus_children_outings_cost = 600
            project.save()
        for number in range(collectives):
            collective = Collective.objects.create(
                project=project,
                name=f"Groupe {number + 1}",
                school_level=level,
                commune=communes_of,
                is_rural=communes_of.is_rural,
                planned_children=rng.randint(5 if communes_of.is_rural else 8, 12),
                planned_weeks=rng.randint(27, 34),
                weekdays=["mardi", "jeudi"],
                start_date=datetime.date(campaign.year, 9, 22),
                end_date=datetime.date(campaign.year + 1, 6, 19),
            )
            Intervenant.objects.bulk_create(
                Intervenant(
                    collective=collective,
                    full_name=name,
                    qualification="BAFA, 3 ans d'animation",
                    is_volunteer=volunteer,
                )
                for name, volunteer in (("Inès Morel", False), ("Hugo Blanc", True))
            )
        purchases = 400 * collectives
        staff_cost = 6500 * collectives + rng.randint(0, 40) * 50
        caf_share = round(0.325 * (purchases + staff_cost))
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(project=project, account="60", amount=purchases),
                BudgetLine(project=project, account="64", amount=staff_cost),
                BudgetLine(project=project, account="74", financer="caf", amount=caf_share),
                BudgetLine(
                    project=project,
                    account="74",
                    financer="commune",
                    amount=purchases + staff_cost - caf_share,
                ),
            ]
        )
        return project
