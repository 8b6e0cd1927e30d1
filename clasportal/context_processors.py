from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_role": None}
    return {"nav_items": menu_for(user), "current_role": user.role}
