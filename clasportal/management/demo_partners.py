"""Demo data of issue 18: the Vosges committee with its four partners, two partner accounts
sitting on the Vosges' open session, and the attendance of its closed one."""

from django.contrib.auth import get_user_model

from clasportal.models import Caf
from committee.models import CommitteeSession, PartnerOrganisation
from committee.people import Attendance, PartnerAccount

VOSGES_PARTNERS = (
    # (kind, name, budget label)
    ("education", "Éducation nationale (DSDEN des Vosges)", ""),
    ("ddets", "DDETSPP des Vosges", ""),
    ("departement", "Conseil départemental des Vosges", "Conseil départemental des Vosges"),
    ("msa", "MSA Lorraine", "MSA Lorraine"),
)
PARTNER_ACCOUNTS = (
    # (e-mail, first name, last name, function, organisation kind)
    (
        "partenaire-cd@demo.clas.fr",
        "Claire",
        "Didier",
        "Pôle Jeunesse — Territoire numérique éducatif",
        "departement",
    ),
    ("partenaire-msa@demo.clas.fr", "Mathieu", "Simonin", "Action sanitaire et sociale", "msa"),
)


def reset():
    """Before the Caf go: attendance lines, partner accounts and organisations hold them."""
    Attendance.objects.all().delete()
    PartnerAccount.objects.all().delete()
    PartnerOrganisation.objects.all().delete()


def seed(password):
    caf = Caf.objects.get(number="088")
    organisations = {}
    for kind, name, label in VOSGES_PARTNERS:
        # Reuse the Caf's partner of that kind when another demo module made it first.
        organisations[kind] = PartnerOrganisation.objects.filter(
            caf=caf, kind=kind
        ).first() or PartnerOrganisation.objects.create(
            caf=caf, kind=kind, name=name, budget_label=label
        )
    users = []
    for email, first, last, function, kind in PARTNER_ACCOUNTS:
        user = get_user_model().objects.create_user(
            email=email, password=password, first_name=first, last_name=last
        )
        PartnerAccount.objects.create(
            user=user, organisation=organisations[kind], function=function
        )
        users.append(user)
    sessions = CommitteeSession.objects.filter(caf=caf)
    upcoming = sessions.filter(status=CommitteeSession.Status.OPEN).order_by("date").first()
    if upcoming is not None:
        upcoming.members.add(*users)
    past = sessions.filter(status=CommitteeSession.Status.CLOSED).order_by("-date").first()
    if past is not None:
        for member in past.members.all():
            Attendance.objects.create(session=past, user=member, status="present")
        for kind, status in (
            ("departement", "present"),
            ("education", "present"),
            ("msa", "present"),
            ("ddets", "excused"),
        ):
            Attendance.objects.create(session=past, organisation=organisations[kind], status=status)
