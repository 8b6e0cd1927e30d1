import django_filters
from django import forms

from .models import Campaign, Project, ProjectStatus, Situation


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=ProjectStatus.choices, empty_label="Tous"
    )
    situation = django_filters.ChoiceFilter(
        label="Situation", choices=Situation.choices, empty_label="Toutes"
    )
    campaign = django_filters.ModelChoiceFilter(
        label="Campagne", queryset=Campaign.objects.none(), empty_label="Toutes"
    )

    class Meta:
        model = Project
        fields = ["q", "status", "situation", "campaign"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            visible = Project.objects.visible_to(user).values("campaign_id")
            self.filters["campaign"].queryset = Campaign.objects.filter(id__in=visible)

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value) | queryset.filter(
            carrier__legal_name__icontains=value
        )
