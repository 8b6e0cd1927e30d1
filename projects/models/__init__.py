from .campaigns import Campaign, DocumentType, WindowException
from .carriers import (
    IDENTITY_FIELDS,
    Carrier,
    CarrierIdentityChange,
    CarrierKind,
    CarrierMembership,
    CarrierQuerySet,
)
from .exchanges import Action, Attachment, ProjectEvent, ProjectMessage
from .projects import (
    AWAITING_REVIEW,
    BudgetLine,
    Collective,
    Financer,
    Intervenant,
    Project,
    ProjectQuerySet,
    ProjectStatus,
    SchoolLevel,
    Situation,
)

__all__ = [
    "IDENTITY_FIELDS",
    "CarrierIdentityChange",
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
