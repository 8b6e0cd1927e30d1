from .agreement import agreement_change, recovery_settle
from .bilans import (
    bilan_admin,
    bilan_create,
    bilan_fill,
    bilan_mark_read,
    bilan_question_add,
    bilan_question_delete,
    bilan_question_edit,
    bilan_settings,
)
from .carrier import (
    declaration_check,
    declaration_document,
    declaration_edit,
    declaration_open,
    declaration_upload,
)
from .departmental import departmental_bilan, departmental_bilan_pdf, departmental_bilan_xlsx
from .documents import declaration_pdf, payment_notice
from .figures import figures, national_figures, national_figures_xlsx
from .list_exports import list_export, list_export_download, list_export_status
from .payments import (
    payment_advance,
    payment_export,
    payment_export_download,
    payment_export_status,
    payment_list,
)
from .processing import (
    declaration_process,
    declaration_queue,
    declaration_return,
    declaration_validate,
    justification_decide,
)
from .resources import resource_add, resource_delete, resource_download, resource_list

__all__ = [
    "agreement_change",
    "recovery_settle",
    "bilan_admin",
    "bilan_create",
    "bilan_fill",
    "bilan_mark_read",
    "bilan_question_add",
    "bilan_question_delete",
    "bilan_question_edit",
    "bilan_settings",
    "departmental_bilan",
    "departmental_bilan_pdf",
    "departmental_bilan_xlsx",
    "declaration_check",
    "declaration_pdf",
    "figures",
    "resource_add",
    "resource_delete",
    "resource_download",
    "resource_list",
    "list_export",
    "list_export_download",
    "list_export_status",
    "payment_notice",
    "national_figures",
    "national_figures_xlsx",
    "declaration_document",
    "declaration_edit",
    "declaration_open",
    "declaration_upload",
    "declaration_process",
    "declaration_queue",
    "declaration_return",
    "declaration_validate",
    "justification_decide",
    "payment_advance",
    "payment_export",
    "payment_export_download",
    "payment_export_status",
    "payment_list",
]
