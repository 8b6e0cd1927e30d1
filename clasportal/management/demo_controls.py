"""Demo data of issue 17 (piece C): in the Loire's closed campaign, an on-site visit that failed
with its findings, follow-up and consequence, and a compliant document control; in the current
campaign, a bonus asked during the year that waits on the advisor. The Loire asks for the bonus
invoices with the actual declaration (Loire guide)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from clasportal.formatting import format_euros
from funding.models import CafPolicy
from projects.models import ProjectStatus

CHECKS_FAILED = [
    ("Attestation d'assurance", "ok", "", False),
    (
        "Extraits de casier judiciaire des intervenants",
        "not_ok",
        "Deux extraits manquants sur cinq intervenants.",
        True,
    ),
    (
        "Registres de présence",
        "not_ok",
        "Registres tenus de septembre à février seulement (22 semaines).",
        True,
    ),
    ("Bilan de l'action", "not_checked", "", False),
    ("Publicité du soutien de la Caf", "ok", "Logo de la Caf sur l'affiche, vu.", False),
]


def seed(closed):
    """`closed`: the Loire's closed campaign (its current one is the next year's)."""
    from declarations import controls

    users = get_user_model().objects
    advisor = users.get(email="ccd@demo.clas.fr")
    processor = users.get(email="gc@demo.clas.fr")
    policy = CafPolicy.of(closed.caf)
    policy.bonus_invoices_required = True
    policy.save()

    projects = closed.projects.filter(status=ProjectStatus.APPROVED).order_by("pk")
    visited = (
        projects.filter(carrier__memberships__user__email="porteur@demo.clas.fr").last()
        or projects.last()
    )
    if visited is not None:
        control = controls.record_control(
            visited,
            by=advisor,
            fields={
                "kind": "visit",
                "date": datetime.date(2026, 3, 12),
                "controller": advisor,
                "result": "failed",
                "findings": "Les registres de présence ne couvrent que 22 semaines d'activité "
                "au lieu des 30 déclarées ; deux intervenants n'ont pas fourni d'extrait de "
                "casier judiciaire.",
                "internal_note": "Coordinatrice arrivée en janvier, reprise du suivi en cours.",
                "follow_up": "Transmettre les deux extraits de casier judiciaire manquants et "
                "les registres de présence de mars à juin.",
                "follow_up_due_on": datetime.date(2026, 4, 15),
            },
            checks=[
                {"label": label, "status": status, "comment": comment, "comment_shared": shared}
                for label, status, comment, shared in CHECKS_FAILED
            ],
        )
        controls.decide_consequence(
            control.pk,
            by=advisor,
            consequence="declaration_correction",
            note="Le gestionnaire conseil corrige les semaines de la déclaration réelle "
            "d'après les registres (22 semaines) : la PS est réduite au prorata.",
        )
    checked = projects.exclude(pk=getattr(visited, "pk", None)).first()
    if checked is not None:
        controls.record_control(
            checked,
            by=processor,
            fields={
                "kind": "documents",
                "date": datetime.date(2026, 5, 6),
                "controller": processor,
                "result": "compliant",
                "findings": "Pièces complètes et conformes.",
            },
            checks=[{"label": label, "status": "ok"} for label, *_rest in CHECKS_FAILED],
        )

    current = closed.caf.campaigns.filter(year=closed.year + 1).first()
    if current is not None:
        _in_year_bonus(current)


IN_YEAR_BONUS = {
    "bonus": "children",
    "collectives": 1,
    "description": "Un fil rouge « théâtre et lecture » toute l'année avec la médiathèque : un "
    "spectacle écrit par les enfants, joué devant les parents en juin.",
    "equipment_cost": Decimal("350.00"),
    "speakers_cost": Decimal("1200.00"),
    "outings_cost": Decimal("480.00"),
}


def _in_year_bonus(current):
    """A bonus asked on an agreed project of the current campaign, before its forecast; through
    the service when the carrier has a demo member, else recorded as the form would."""
    from committee import bonus_requests
    from committee.models import InYearBonusRequest
    from projects import workflow

    for project in current.projects.filter(status=ProjectStatus.APPROVED).order_by("pk"):
        if "children" not in bonus_requests.requestable(project):
            continue
        member = project.carrier.memberships.select_related("user").order_by("pk").first()
        if member is not None:
            bonus_requests.request_bonus(project.pk, by=member.user, fields=IN_YEAR_BONUS)
            return
        request = InYearBonusRequest.objects.create(project=project, **IN_YEAR_BONUS)
        workflow.record(
            project,
            by=None,
            action="bonus_requested",
            note=f"bonus « enfants », 1 collectif, surcoût {format_euros(request.extra_cost)}",
            data={"request": request.pk, "bonus": "children"},
        )
        return
