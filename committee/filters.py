import django_filters
from django import forms

from clasportal.models import Commune, Territory
from projects.models import CarrierKind, Project, ProjectStatus, Situation


class QueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=ProjectStatus.choices, empty_label="Tous"
    )
    territory = django_filters.ModelChoiceFilter(
        label="Territoire",
        field_name="carrier__commune__territory",
        queryset=Territory.objects.none(),
        empty_label="Tous",
    )
    commune = django_filters.ModelChoiceFilter(
        label="Commune",
        field_name="carrier__commune",
        queryset=Commune.objects.none(),
        empty_label="Toutes",
    )
    kind = django_filters.ChoiceFilter(
        label="Statut juridique",
        field_name="carrier__kind",
        choices=CarrierKind.choices,
        empty_label="Tous",
    )
    situation = django_filters.ChoiceFilter(
        label="Situation", choices=Situation.choices, empty_label="Toutes"
    )
    bonus = django_filters.ChoiceFilter(
        label="Bonus demandé",
        method="filter_bonus",
        choices=[
            ("children", "Bonus enfants"),
            ("parents", "Bonus parents"),
            ("any", "Au moins un"),
        ],
        empty_label="Indifférent",
    )
    has_findings = django_filters.BooleanFilter(
        label="Constats",
        widget=forms.Select(
            choices=[("", "Tous"), ("true", "Avec constats"), ("false", "Sans constat")]
        ),
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "status",
            "territory",
            "commune",
            "kind",
            "situation",
            "bonus",
            "has_findings",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["territory"].queryset = Territory.objects.visible_to(user)
        self.filters["commune"].queryset = Commune.objects.visible_to(user)
        for flt in self.filters.values():
            widget = flt.field.widget
            widget.attrs["class"] = (
                "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value) | queryset.filter(
            carrier__legal_name__icontains=value
        )

    def filter_bonus(self, queryset, name, value):
        if value == "children":
            return queryset.filter(bonus_children_requested=True)
        if value == "parents":
            return queryset.filter(bonus_parents_requested=True)
        return queryset.filter(bonus_children_requested=True) | queryset.filter(
            bonus_parents_requested=True
        )
