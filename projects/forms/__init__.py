from ..budget import BudgetForm
from .collectives import CollectiveForm, IntervenantFormSet
from .manage import (
    AttachmentForm,
    CampaignForm,
    DocumentTypeForm,
    MessageForm,
    NewProjectForm,
    WindowExceptionForm,
)
from .members import InviteMemberForm
from .request import BonusForm, CarrierForm, ProjectDescriptionForm

__all__ = [
    "AttachmentForm",
    "BonusForm",
    "BudgetForm",
    "CampaignForm",
    "CarrierForm",
    "CollectiveForm",
    "DocumentTypeForm",
    "IntervenantFormSet",
    "InviteMemberForm",
    "MessageForm",
    "NewProjectForm",
    "ProjectDescriptionForm",
    "WindowExceptionForm",
]
