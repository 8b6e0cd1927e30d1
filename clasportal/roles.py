"""The roles a person holds in the portal (one per person)."""

from django.db import models


class Role(models.TextChoices):
    CARRIER = "carrier", "Porteur de projet"
    ADVISOR = "advisor", "Conseiller (CCD)"
    PROCESSOR = "processor", "Gestionnaire conseil (GC)"
    COMMITTEE = "committee", "Membre du comité départemental"
    CAF_ADMIN = "caf_admin", "Administrateur Caf"
    NATIONAL_ADMIN = "national_admin", "Administrateur national (Cnaf)"
    # A person of a co-financer (Conseil départemental, MSA…) sitting on a Caf's committee: not
    # Caf staff, sees only the sessions it sits on (issue 18).
    PARTNER = "partner", "Partenaire du comité"


STAFF_ROLES = (Role.ADVISOR, Role.PROCESSOR, Role.COMMITTEE, Role.CAF_ADMIN)
