from .attachments import attachment_delete, attachment_download, attachment_upload, receipt_download
from .campaigns import (
    campaign_copy,
    campaign_create,
    campaign_edit,
    campaign_list,
    document_type_add,
    document_type_delete,
)
from .collectives import collective_delete, collective_edit
from .lists import carrier_detail, carrier_invite, carrier_list, project_list
from .manage import message_post, project_create, project_detail
from .request import step, submit

__all__ = [
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "campaign_copy",
    "campaign_create",
    "campaign_edit",
    "campaign_list",
    "carrier_detail",
    "carrier_invite",
    "carrier_list",
    "collective_delete",
    "collective_edit",
    "document_type_add",
    "document_type_delete",
    "message_post",
    "project_create",
    "project_detail",
    "project_list",
    "receipt_download",
    "step",
    "submit",
]
