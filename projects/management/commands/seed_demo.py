"""Deterministic demo data: Caf Loire (42) and Caf Vosges (88), their people and projects."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clasportal.models import Caf, Commune, Role, StaffProfile, Territory
from funding.models import CafPolicy
from projects.models import (
    BudgetLine,
    Campaign,
    Carrier,
    CarrierKind,
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

DEMO_PASSWORD = "demo-clas-2026"
DEMO_DOMAIN = "@demo.clas.fr"

CAFS = {
    "42": {
        "number": "042",
        "name": "Loire",
        "territories": {
            "Saint-Étienne Métropole": [
                ("42218", "Saint-Étienne", "42000", False),
                ("42095", "Firminy", "42700", False),
                ("42186", "Rive-de-Gier", "42800", False),
            ],
            "Loire Forez Agglomération": [
                ("42147", "Montbrison", "42600", False),
                ("42279", "Saint-Just-Saint-Rambert", "42170", False),
                ("42226", "Saint-Georges-en-Couzan", "42990", True),
            ],
            "Roannais Agglomération": [
                ("42187", "Roanne", "42300", False),
                ("42220", "Saint-Haon-le-Châtel", "42370", True),
            ],
        },
    },
    "88": {
        "number": "088",
        "name": "Vosges",
        "territories": {
            "Communauté d'agglomération d'Épinal": [
                ("88160", "Épinal", "88000", False),
                ("88465", "Thaon-les-Vosges", "88150", False),
            ],
            "Communauté d'agglomération de Saint-Dié-des-Vosges": [
                ("88413", "Saint-Dié-des-Vosges", "88100", False),
                ("88383", "Remiremont", "88200", False),
                ("88196", "Gérardmer", "88400", True),
            ],
        },
    },
}

# (email, first, last, dept, role, territory names)
STAFF = [
    (
        "ccd@demo.clas.fr",
        "Claire",
        "Dumont",
        "42",
        Role.ADVISOR,
        ["Saint-Étienne Métropole", "Loire Forez Agglomération"],
    ),
    ("gc@demo.clas.fr", "Gaëlle", "Chassagne", "42", Role.PROCESSOR, []),
    ("comite@demo.clas.fr", "Marc", "Peyron", "42", Role.COMMITTEE, []),
    ("admin@demo.clas.fr", "Anne", "Berthet", "42", Role.CAF_ADMIN, []),
    (
        "ccd-vosges@demo.clas.fr",
        "Luc",
        "Grandjean",
        "88",
        Role.ADVISOR,
        [
            "Communauté d'agglomération d'Épinal",
            "Communauté d'agglomération de Saint-Dié-des-Vosges",
        ],
    ),
]

# (legal name, kind, commune INSEE, member e-mail or None, legal representative)
CARRIERS = [
    (
        "Association Réussir Ensemble",
        CarrierKind.ASSOCIATION,
        "42218",
        "porteur@demo.clas.fr",
        "Nadia Benali",
    ),
    (
        "Commune de Firminy",
        CarrierKind.COLLECTIVITE,
        "42095",
        "porteur2@demo.clas.fr",
        "Le maire de Firminy",
    ),
    ("Centre social Les Tilleuls", CarrierKind.ASSOCIATION, "42187", None, "Paul Vial"),
    ("CCAS de Montbrison", CarrierKind.ETABLISSEMENT_PUBLIC, "42147", None, "La présidente"),
    ("Mutuelle Familles du Forez", CarrierKind.MUTUELLE, "42279", None, "Henri Faure"),
    (
        "Association Vosges Savoirs",
        CarrierKind.ASSOCIATION,
        "88160",
        "porteur-vosges@demo.clas.fr",
        "Sophie Marchal",
    ),
    ("Commune de Remiremont", CarrierKind.COLLECTIVITE, "88383", None, "Le maire de Remiremont"),
    (
        "Foyer rural de Gérardmer",
        CarrierKind.ETABLISSEMENT_PRIVE_SOCIAL,
        "88196",
        None,
        "Jean Claudel",
    ),
]

CARRIER_USERS = {
    "porteur@demo.clas.fr": ("Nadia", "Benali"),
    "porteur2@demo.clas.fr": ("Thomas", "Royer"),
    "porteur-vosges@demo.clas.fr": ("Sophie", "Marchal"),
}

PROJECT_TITLES = [
    ("Coup de pouce élémentaire", SchoolLevel.ELEMENTAIRE),
    ("Passerelle collège", SchoolLevel.COLLEGE),
    ("Lycéens en réussite", SchoolLevel.LYCEE),
    ("Ateliers parents-enfants", SchoolLevel.ELEMENTAIRE),
]

STATUS_CYCLE = [
    ProjectStatus.DRAFT,
    ProjectStatus.SUBMITTED,
    ProjectStatus.UNDER_REVIEW,
    ProjectStatus.CHANGES_REQUESTED,
    ProjectStatus.PROPOSED,
    ProjectStatus.APPROVED,
    ProjectStatus.REFUSED,
    ProjectStatus.ADJOURNED,
]


DOCUMENTS = [
    # name, situations (empty: all), required
    ("RIB de la structure", [], True),
    ("Attestation d'assurance responsabilité civile", [], True),
    ("Statuts (associations)", [3], True),
    ("Bilan Clas de l'année précédente", [1], True),
    ("Contrat d'engagement républicain (associations)", [3], False),
]

PROJECT_TEXT = {
    "axis_children": "Aide méthodologique aux devoirs en petits groupes, ateliers lecture avec la "
    "médiathèque, jeux coopératifs, tutorat entre enfants, cahier de présence et fiche de suivi.",
    "axis_parents": "Réunion d'information à l'inscription, goûters parents-enfants chaque "
    "trimestre, atelier « comprendre l'ENT et Pronote », orientation vers le REAAP.",
    "axis_school": "Rencontre avec les directeurs et enseignants avant le démarrage, point "
    "mensuel avec le CPE, réunion de bilan en juin.",
    "axis_territory": "Partenariat avec le PRE, la médiathèque et le centre social ; inscrit "
    "au PEdT de la commune.",
    "objectives": "Redonner confiance aux enfants dans leurs capacités et associer les parents "
    "au suivi de la scolarité.",
    "partner_schools": "École Jules-Ferry, collège Jean-Macé",
    "partner_schemes": "PEdT, PRE, REAAP",
    "premises": "Salle d'activités au rez-de-chaussée, accessible aux parents et aux poussettes.",
    "coordinator_name": "Karim Aït-Saïd",
    "coordinator_qualification": "DUT carrières sociales, 6 ans d'animation",
}


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
        with transaction.atomic():
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
