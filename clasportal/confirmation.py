"""Irreversible actions ask first (issue 20): the form posts without `confirm`, the view answers
with a page that says what will happen and posts the same data again with `confirm=1`. Plain
HTML forms, so it works without JavaScript; « Annuler » goes back without changing anything."""

from django.shortcuts import render


def confirmed(request):
    return request.POST.get("confirm") == "1"


def ask(request, *, title, summary, action, cancel, button, intro="", hidden=None):
    """The confirmation step: `summary` is the list of what will happen, in French."""
    fields = {
        key: value
        for key, value in (hidden if hidden is not None else request.POST).items()
        if key not in ("csrfmiddlewaretoken", "confirm")
    }
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "intro": intro,
            "summary": summary,
            "action": action,
            "cancel": cancel,
            "button": button,
            "hidden": sorted(fields.items()),
        },
    )
