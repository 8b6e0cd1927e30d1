"""Demo co-financers of the Vosges (issue 18, piece B): the MSA Lorraine's « Grandir en milieu
rural » forfait (1 000 € per carrier and campaign) and the Conseil départemental's « bonus
parents TNE » (100 € to 500 € per collective) for the current campaign, each financer's envelope,
and a rural carrier with two projects on the open committee that receives the MSA forfait once."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from clasportal.models import Caf, Commune, Role
from committee import cofinancing
from committee.models import (
    AgendaItem,
    CommitteeSession,
    Envelope,
    FinancerDecision,
    FinancingScheme,
    PartnerOrganisation,
    SchemeRequest,
)
from funding.kinds import CarrierKind
from projects.models import (
    Campaign,
    Carrier,
    DocumentType,
    ProjectStatus,
    SchoolLevel,
    Situation,
)
from projects.validators import luhn_ok

CARRIER_NAME = "Familles rurales de la Haute-Vologne"


def _siret(seed):
    base = f"{(7_828_000_000_000 + seed * 104_729) % 10**13:013d}"
    return next(base + d for d in "0123456789" if luhn_ok(base + d))


def reset():
    """The co-financers' rows hold their partners, campaigns and Caf (protected keys): first.
    The partner organisations go with their accounts (demo_partners.reset)."""
    FinancerDecision.objects.all().delete()
    SchemeRequest.objects.all().delete()
    Envelope.objects.all().delete()
    FinancingScheme.objects.all().delete()


def seed(command, rng):
    caf = Caf.objects.get(departement="88")
    campaign = Campaign.objects.get(caf=caf, year=2026)
    msa, _ = PartnerOrganisation.objects.get_or_create(
        caf=caf,
        name="MSA Lorraine",
        defaults={"kind": PartnerOrganisation.Kind.MSA, "budget_label": "MSA LORRAINE"},
    )
    cd, _ = PartnerOrganisation.objects.get_or_create(
        caf=caf,
        name="Conseil départemental des Vosges",
        defaults={
            "kind": PartnerOrganisation.Kind.DEPARTEMENT,
            "budget_label": "CD88 - Pôle Jeunesse (TNE)",
        },
    )
    sheet = DocumentType.objects.create(
        caf=caf,
        campaign=campaign,
        name="Fiche synthèse « bonus parents TNE » (Conseil départemental)",
        is_required=False,
        position=20,
    )
    forfait = FinancingScheme.objects.create(
        partner=msa,
        campaign=campaign,
        name="Grandir en milieu rural",
        rule=FinancingScheme.Rule.PER_CARRIER,
        amount=Decimal("1000"),
        conditions="Territoires ruraux ou fragiles ; 1 000 € par porteur quel que soit son "
        "nombre de collectifs.",
        requires_rural_or_fragile=True,
    )
    tne = FinancingScheme.objects.create(
        partner=cd,
        campaign=campaign,
        name="Bonus parents TNE",
        rule=FinancingScheme.Rule.PER_COLLECTIVE,
        minimum=Decimal("100"),
        maximum=Decimal("500"),
        conditions="Territoire numérique éducatif : une action avec les parents sur la "
        "scolarité numérique (ENT, Pronote, usages des écrans), dans la limite de l'enveloppe.",
        requires_parents_digital=True,
        required_document=sheet,
    )
    for partner, amount in ((None, "150000"), (msa, "5000"), (cd, "6000")):
        Envelope.objects.create(caf=caf, campaign=campaign, partner=partner, amount=amount)

    # A rural carrier with two projects on the open committee.
    commune = Commune.objects.get(insee_code="88196")  # Gérardmer, rural
    carrier = Carrier.objects.create(
        legal_name=CARRIER_NAME,
        siret=_siret(8_800),
        kind=CarrierKind.ASSOCIATION,
        commune=commune,
        caf=caf,
        address="4 place du Tilleul",
        legal_representative="Martine Didierjean",
        email="contact-vologne@structure.example",
        phone="03 29 60 12 34",
    )
    session = CommitteeSession.objects.filter(caf=caf, campaign=campaign, status="open").first()
    projects = []
    for title, level in (
        ("Coup de pouce en montagne", SchoolLevel.ELEMENTAIRE),
        ("Collégiens de la Vologne", SchoolLevel.COLLEGE),
    ):
        project = command._project(
            carrier, campaign, title, level, Situation.RENEWAL, ProjectStatus.PROPOSED, rng,
            communes_of=commune,
        )  # fmt: skip
        project.proposal = "approval"
        project.proposed_collectives = project.collectives.count()
        project.save(update_fields=["proposal", "proposed_collectives"])
        projects.append(project)
    first, second = projects
    # The MSA forfait asked once (by the first project), the TNE bonus by the second.
    cofinancing.save_request(first, forfait, asked=True)
    count = second.collectives.count()
    cofinancing.save_request(
        second,
        tne,
        asked=True,
        collectives=count,
        amount=Decimal("300"),
        parents_digital_action="Deux ateliers ENT et Pronote avec les parents au collège.",
    )
    for project in projects:
        cofinancing.sync_budget_lines(project)
        _balance(project)
    if session is None:
        return
    member = (
        get_user_model()
        .objects.filter(
            staff_profile__caf=caf,
            staff_profile__role=Role.COMMITTEE,
            pk__in=session.members.values("pk"),
        )
        .first()
    )
    position = session.items.count()
    items = [
        AgendaItem.objects.create(session=session, project=project, position=position + index)
        for index, project in enumerate(projects)
    ]
    if member is None:
        return
    cofinancing.record_financer_decision(
        items[0].pk, by=member, partner=msa, scheme=forfait, outcome="granted",
        amount=Decimal("1000"),
    )  # fmt: skip
    cofinancing.record_financer_decision(
        items[1].pk, by=member, partner=cd, scheme=tne, outcome="granted",
        amount=Decimal("300") * count,
    )  # fmt: skip


def _balance(project):
    """The commune's line takes what the co-financers now bring: the budget stays balanced."""
    lines = list(project.budget_lines.all())
    charges = sum((x.amount for x in lines if x.is_charge), Decimal(0))
    products = sum((x.amount for x in lines if not x.is_charge), Decimal(0))
    commune = next((x for x in lines if x.financer == "commune"), None)
    if commune is not None and products != charges:
        commune.amount = max(Decimal(0), commune.amount + charges - products)
        commune.save(update_fields=["amount"])
