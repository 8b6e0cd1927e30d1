from .campaigns import Campaign, DocumentType, WindowException
from .carriers import (
    IDENTITY_FIELDS,
    Carrier,
    CarrierIdentityChange,
    CarrierKind,
    CarrierMembership,
    CarrierQuerySet,
    CarrierSignup,
)
from .collectives import BudgetLine, Collective, Financer, Intervenant
from .conventions import Amendment, Convention, ConventionPolicy, ConventionYear
from .exchanges import Action, Attachment, ProjectEvent, ProjectMessage
from .projects import (
    AWAITING_REVIEW,
    Project,
    ProjectQuerySet,
    ProjectStatus,
    SchoolLevel,
    Situation,
)

__all__ = [
    "Amendment",
    "Convention",
    "ConventionPolicy",
    "ConventionYear",
    "IDENTITY_FIELDS",
    "CarrierIdentityChange",
    "CarrierSignup",
    "Action",
    "AWAITING_REVIEW",
    "Attachment",
    "BudgetLine",
    "DocumentType",
    "Financer",
    "Intervenant",
    "ProjectEvent",
    "ProjectMessage",
    "WindowException",
    "Campaign",
    "Carrier",
    "CarrierKind",
    "CarrierMembership",
    "CarrierQuerySet",
    "Collective",
    "Project",
    "ProjectQuerySet",
    "ProjectStatus",
    "SchoolLevel",
    "Situation",
]
