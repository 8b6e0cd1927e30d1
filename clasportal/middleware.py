"""Refuse an oversized request body before anything reads it."""

from django.conf import settings
from django.shortcuts import render


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
