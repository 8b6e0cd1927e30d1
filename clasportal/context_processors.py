from . import rules
from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "role_label": "", "is_carrier": False}
    return {
        "nav_items": menu_for(user),
        "role_label": rules.role_label(user),
        "is_carrier": rules.is_carrier_user(user),
    }
