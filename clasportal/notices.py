"""The notification centre: a person's reminders, read or not, and how each kind arrives."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import cached, rules
from .models import Notice, NoticeKind, NoticePreference
from .scoping import get_visible_or_404


def _check(request):
    if not rules.can(request.user, "clasportal.view_notices"):
        raise PermissionDenied


def notice_list(request):
    _check(request)
    notices = Notice.objects.visible_to(request.user).order_by("-created_at", "-pk")
    only_unread = request.GET.get("non-lus") == "1"
    if only_unread:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/list.html",
        {"page": page, "only_unread": only_unread},
    )


@require_POST
def notice_read(request, pk):
    _check(request)
    notice = get_visible_or_404(Notice, request.user, pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    target = notice.url if request.POST.get("open") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notices")


@require_POST
def notice_read_all(request):
    _check(request)
    count = (
        Notice.objects.visible_to(request.user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    cached.forget(cached.unread_key(request.user.pk))  # an update sends no post_save
    messages.success(
        request,
        f"{count} avis marqué{'s' if count > 1 else ''} comme lu{'s' if count > 1 else ''}.",
    )
    return redirect("notices")


class PreferencesForm(forms.Form):
    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NoticeKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NoticePreference.Channel.choices,
                initial=current.get(kind.value, NoticePreference.Channel.IMMEDIATE),
                widget=forms.RadioSelect,
                error_messages={"required": "Choisissez comment recevoir cet avis."},
            )


def notice_preferences(request):
    _check(request)
    mine = NoticePreference.objects.visible_to(request.user)
    current = dict(mine.values_list("kind", "channel"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind, channel in form.cleaned_data.items():
                if current.get(kind, NoticePreference.Channel.IMMEDIATE) == channel:
                    continue
                # update_or_create keeps one row per kind; the row's history says who and when.
                NoticePreference.objects.update_or_create(
                    user=request.user, kind=kind, defaults={"channel": channel}
                )
        messages.success(request, "Vos préférences de réception sont enregistrées.")
        return redirect("notice_preferences")
    return render(request, "notices/preferences.html", {"form": form})
