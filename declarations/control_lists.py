"""The list of a campaign's controls: its filters (django-filter) and its table (django-tables2)."""

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from clasportal.models import Territory

from .models import Control


class ControlFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Porteur ou projet",
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = django_filters.ChoiceFilter(
        label="Nature", choices=Control.Kind.choices, empty_label="Toutes"
    )
    result = django_filters.ChoiceFilter(
        label="Résultat", choices=Control.Result.choices, empty_label="Tous"
    )
    territory = django_filters.ModelChoiceFilter(
        label="Territoire",
        field_name="project__carrier__commune__territory",
        queryset=Territory.objects.none(),
        empty_label="Tous",
    )
    follow_up = django_filters.ChoiceFilter(
        label="Suite demandée",
        method="filter_follow_up",
        choices=[("pending", "À réaliser"), ("done", "Réalisée"), ("none", "Aucune")],
        empty_label="Indifférent",
    )
    consequence = django_filters.ChoiceFilter(
        label="Suite décidée",
        choices=[("undecided", "Non conforme, à décider"), *Control.Consequence.choices],
        method="filter_consequence",
        empty_label="Indifférent",
    )

    class Meta:
        model = Control
        fields = ["q", "kind", "result", "territory", "follow_up", "consequence"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["territory"].queryset = Territory.objects.visible_to(user)
        for flt in self.filters.values():
            widget = flt.field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def search(self, queryset, name, value):
        return queryset.filter(project__title__icontains=value) | queryset.filter(
            project__carrier__legal_name__icontains=value
        )

    def filter_follow_up(self, queryset, name, value):
        if value == "none":
            return queryset.filter(follow_up="")
        asked = queryset.exclude(follow_up="")
        return asked.filter(follow_up_done_at__isnull=value == "pending")

    def filter_consequence(self, queryset, name, value):
        if value == "undecided":
            return queryset.filter(result=Control.Result.FAILED, consequence="")
        return queryset.filter(consequence=value)


class ControlTable(tables.Table):
    date = tables.Column(verbose_name="Date")
    carrier = tables.Column(verbose_name="Porteur", accessor="project__carrier__legal_name")
    project = tables.Column(verbose_name="Projet", accessor="project__title")
    kind = tables.Column(verbose_name="Nature")
    controller = tables.Column(verbose_name="Mené par", accessor="controller", orderable=False)
    result = tables.Column(verbose_name="Résultat")
    follow_up = tables.Column(verbose_name="Suite demandée", empty_values=(), orderable=False)
    consequence = tables.Column(verbose_name="Suite décidée", empty_values=())

    class Meta:
        model = Control
        fields = ()
        sequence = (
            "date",
            "carrier",
            "project",
            "kind",
            "controller",
            "result",
            "follow_up",
            "consequence",
        )
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "Aucun contrôle ne correspond à ces critères."

    def render_date(self, record, value):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("declarations:control_detail", args=[record.pk]),
            record.date.strftime("%d/%m/%Y"),
        )

    def render_kind(self, record):
        return record.get_kind_display()

    def render_controller(self, value):
        return value.get_full_name() or value.email

    def render_result(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            record.result_badge,
            record.get_result_display(),
        )

    def render_follow_up(self, record):
        if not record.follow_up:
            return "—"
        if record.follow_up_done_at:
            return "réalisée"
        if record.follow_up_due_on:
            return f"à réaliser avant le {record.follow_up_due_on:%d/%m/%Y}"
        return "à réaliser"

    def render_consequence(self, record):
        if record.consequence:
            return record.get_consequence_display()
        return "à décider" if record.is_failed else "—"
