from .carrier import (
    declaration_check,
    declaration_document,
    declaration_edit,
    declaration_open,
    declaration_upload,
)
from .figures import figures
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

__all__ = [
    "declaration_check",
    "figures",
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
