from . import cached, rules
from .navigation import Menu, menu_for


def navigation(request):
    # Once per request: a django-tables2 table renders its own template with the request, which
    # runs the context processors again (the menu and the unread count twice on list pages).
    cached = getattr(request, "_clas_navigation", None)
    if cached is None:
        cached = request._clas_navigation = _navigation(request)
    return cached


def _navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "role_label": "",
            "is_carrier": False,
            "can_use_second_factor": False,
            "unread_notices": 0,
        }
    # Until the code is given (or the app enrolled), the menu would only lead back here.
    pending = getattr(request, "second_factor_pending", None)
    return {
        "nav_items": Menu([] if pending else menu_for(user), request.path),
        "can_use_second_factor": not pending and rules.may_use_second_factor(user),
        "role_label": rules.role_label(user),
        "is_carrier": rules.is_carrier_user(user),
        "unread_notices": 0 if pending else _unread(user),
    }


def _unread(user):
    from .models import Notice

    # Cached per person, forgotten when one of their notices is saved, read or deleted
    # (clasportal.signals): the badge costs no query on most pages.
    return cached.remember(
        cached.unread_key(user.pk),
        lambda: Notice.objects.visible_to(user).filter(read_at__isnull=True).count(),
        cached.UNREAD_TIMEOUT,
    )
