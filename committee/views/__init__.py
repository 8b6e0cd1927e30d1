from .bonus_requests import bonus_request_create, bonus_request_decide
from .exports import export_download, export_start, export_status
from .financers import (
    envelope_set,
    scheme_create,
    scheme_edit,
    scheme_list,
    session_financer_decide,
)
from .letters import project_letter
from .partner_space import partner_project, partner_session
from .partners import (
    partner_account_toggle,
    partner_activation,
    partner_edit,
    partner_invite,
    partner_list,
    session_attendance,
    session_members,
)
from .queue import queue
from .review import (
    review,
    review_bonus,
    review_note,
    review_other_financer,
    review_propose,
    review_request_changes,
    review_start,
    review_take_back,
)
from .rural import review_rural
from .sessions import (
    session_agenda,
    session_close,
    session_create,
    session_decide,
    session_detail,
    session_list,
    session_people,
)

__all__ = [
    "bonus_request_create",
    "bonus_request_decide",
    "envelope_set",
    "scheme_create",
    "scheme_edit",
    "scheme_list",
    "session_financer_decide",
    "export_download",
    "export_start",
    "export_status",
    "partner_account_toggle",
    "partner_activation",
    "partner_edit",
    "partner_invite",
    "partner_list",
    "partner_project",
    "partner_session",
    "project_letter",
    "queue",
    "review",
    "review_bonus",
    "review_note",
    "review_other_financer",
    "review_propose",
    "review_request_changes",
    "review_rural",
    "review_start",
    "review_take_back",
    "session_agenda",
    "session_attendance",
    "session_close",
    "session_create",
    "session_decide",
    "session_detail",
    "session_list",
    "session_members",
    "session_people",
]
