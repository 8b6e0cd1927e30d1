"""Demo (issue 17): in the Loire's closed 2025 campaign, the committee withdrew an agrément
mid-year after a visit; both advances had been paid, the right is prorated to the weeks run
and the excess is an amount to recover, seen by the GC (payments page and export) and by the
carrier (its project page, with the reason and the calculation step by step)."""

import datetime

from django.contrib.auth import get_user_model

from clasportal.models import Role

DEMO_CARRIER = "Association Réussir Ensemble"
WEEKS_RUN = 12
REASON = (
    "Visite du comité le 14/01/2026 : registres de présence non tenus depuis novembre et "
    "accueil des parents interrompu ; manquements au référentiel Clas."
)


def seed(caf_departement="42"):
    withdrawal = _closed_campaign_withdrawal(caf_departement)
    _current_year_agreements()
    return withdrawal


def _current_year_agreements():
    """In 2026/2027, the Vosges committee suspends an agrément pending a document control
    (Vosges note: it « suit et contrôle les structures bénéficiaires de l'agrément »); the
    year's other approved project stays approved."""
    from declarations import agreement
    from projects.models import Project, ProjectStatus

    approved = list(
        Project.objects.filter(campaign__year=2026, status=ProjectStatus.APPROVED)
        .select_related("campaign__caf")
        .order_by("-campaign__caf__departement", "pk")
    )
    if len(approved) < 2:
        return None
    project = approved[0]
    committee = (
        get_user_model()
        .objects.filter(staff_profile__role=Role.COMMITTEE, staff_profile__caf=project.campaign.caf)
        .order_by("pk")
        .first()
    )
    return agreement.change_agreement(
        project.pk,
        "suspend",
        by=committee,
        reason="Contrôle sur pièces en cours : attestation d'assurance et extraits de casier "
        "judiciaire des intervenants non fournis.",
        effective_on=datetime.date(2026, 11, 20),
    )


def _closed_campaign_withdrawal(caf_departement):
    from declarations import agreement, services
    from declarations.models import Payment
    from projects.models import Project, ProjectStatus

    users = get_user_model().objects
    payer = users.get(email="gc-paiements@demo.clas.fr")
    committee = users.get(email="comite@demo.clas.fr")
    project = (
        Project.objects.filter(
            campaign__caf__departement=caf_departement,
            campaign__year=2025,
            carrier__legal_name=DEMO_CARRIER,
            status=ProjectStatus.APPROVED,
        )
        .order_by("pk")
        .first()
    )
    if project is None:
        return None
    # Both advances went through the accounting flow (another GC than the one who validated).
    for payment in project.payments.filter(
        kind__in=(Payment.Kind.FIRST_ADVANCE, Payment.Kind.SECOND_ADVANCE)
    ).order_by("kind"):
        for note in ("Bordereau de janvier 2026", "Virement du 03/02/2026"):
            services.advance_payment(payment.pk, by=payer, reason=note)
    return agreement.change_agreement(
        project.pk,
        "withdraw",
        by=committee,
        reason=REASON,
        effective_on=datetime.date(2026, 1, 16),
        weeks_run=WEEKS_RUN,
    )
