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
from .members import IdentityChangeForm, InviteMemberForm
from .request import BonusForm, CarrierForm, ProjectDescriptionForm

__all__ = [
    "IdentityChangeForm",
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
