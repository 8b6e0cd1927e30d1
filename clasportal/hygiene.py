"""Query strings are input: a NUL character has no meaning in any parameter of the portal, and
PostgreSQL refuses it in a text value (a 500 wherever a filter passes it on). Refused here, once,
for every page, with a French 400."""

from django.http import HttpResponseBadRequest


class QueryStringMiddleware:
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
