"""Request middlewares: an oversized body is refused before anything reads it, a NUL character
in the query string before any filter reads it; the second factor is asked before any page."""

import time

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import second_factor


class RequestBodyLimitMiddleware:
    """A body declared above CLAS_REQUEST_MAX_BYTES (the upload limit plus the form around it) is
    refused with a French 413 page, unread: Django would otherwise receive it in full before the
    form said the file was too large. The reverse proxy caps it first (deploy/nginx.conf); this
    holds when Django runs without it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.CLAS_REQUEST_MAX_BYTES
        if length > limit:
            return render(
                request,
                "errors/413.html",
                {"upload_limit_mb": settings.CLAS_UPLOAD_MAX_BYTES // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)


class SlidingSessionMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE idle seconds. Saving the session on every page
    (SESSION_SAVE_EVERY_REQUEST) cost an UPDATE and a commit per page; here an existing session is
    marked for saving, which moves its expiry, only when its last refresh is older than
    SESSION_REFRESH_SECONDS. The idle limit is thus kept within those few minutes. A visitor
    without a session gets none."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        try:
            last = int(session.get(self.KEY, 0))
        except (TypeError, ValueError):
            last = 0
        if now - last >= settings.SESSION_REFRESH_SECONDS or last > now:
            session[self.KEY] = now
        return response


class QueryStringMiddleware:
    """Query strings are input: a NUL character has no meaning in any parameter of the portal,
    and PostgreSQL refuses it in a text value (a 500 wherever a filter passes it on). Refused
    here, once, for every page, with a French 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    "Adresse invalide : un paramètre contient un caractère interdit.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


def second_factor_step(kind):
    """Mark a view for SecondFactorMiddleware: "exempt" (logout, the code page) is always
    reachable; "enrolment" is reachable by a person who must enrol, not by one who must give a
    code first (else a stolen password would reach the recovery codes)."""

    def decorate(view):
        view.second_factor_step = kind
        return view

    return decorate


class SecondFactorMiddleware:
    """After LoginRequiredMiddleware: a logged-in person who has an authenticator app gives a code
    once per session (the code page), one who is required to have one and has not is sent to the
    enrolment page; public pages and static files are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        step = second_factor.next_step(user)
        if step is None:
            return None
        request.second_factor_pending = step
        kind = getattr(view_func, "second_factor_step", None)
        if kind == "exempt" or (kind == "enrolment" and step is second_factor.Step.ENROL):
            return None
        if step is second_factor.Step.VERIFY:
            url = f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}"
        else:
            url = reverse("otp_setup")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


class PortalNotFoundMiddleware:
    """In development (DEBUG, `make run`) Django answers a 404 with its English debug page;
    the portal's own French 404 is shown instead, as in production. Dev settings only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and not getattr(response, "streaming", False)
            and b"DEBUG = True" in response.content
        ):
            from .views import error_404

            return error_404(request)
        return response
