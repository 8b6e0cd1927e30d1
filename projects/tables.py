import django_tables2 as tables
from django.utils.html import format_html

from clasportal.lists import QUICK_TEMPLATE, QuickRows

from .models import Carrier, Project

EMPTY = (None, "")


class ProjectTable(QuickRows, tables.Table):
    title = tables.Column(verbose_name="Projet", linkify=True)
    carrier = tables.Column(verbose_name="Porteur", accessor="carrier__legal_name")
    campaign = tables.Column(
        verbose_name="Campagne", accessor="campaign__school_year", order_by=("campaign__year",)
    )
    territory = tables.Column(
        verbose_name="Territoire", accessor="carrier__commune__territory__name", default="—"
    )
    situation = tables.Column(verbose_name="Situation")
    collectives_count = tables.Column(
        verbose_name="Collectifs", attrs={"td": {"class": "text-end"}}
    )
    children_planned = tables.Column(
        verbose_name="Enfants prévus", default="—", attrs={"td": {"class": "text-end"}}
    )
    status = tables.Column(verbose_name="Statut")

    class Meta:
        model = Project
        fields = ()
        sequence = (
            "title",
            "carrier",
            "campaign",
            "territory",
            "situation",
            "collectives_count",
            "children_planned",
            "status",
        )
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "Aucun projet ne correspond à ces critères."
        template_name = QUICK_TEMPLATE

    def render_status(self, record, value):
        return format_html('<span class="badge status-{}">{}</span>', record.status, value)

    def render_situation(self, record):
        return record.get_situation_display()

    def row_cells(self, record):
        territory = record.carrier.commune.territory if record.carrier.commune_id else None
        return (
            format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.title),
            record.carrier.legal_name,
            record.campaign.school_year,
            territory.name if territory and territory.name not in EMPTY else "—",
            record.get_situation_display(),
            record.collectives_count,
            "—" if record.children_planned in EMPTY else record.children_planned,
            self.render_status(record, record.get_status_display()),
        )


class CarrierTable(tables.Table):
    legal_name = tables.Column(verbose_name="Raison sociale", linkify=True)
    kind = tables.Column(verbose_name="Statut juridique")
    siret = tables.Column(verbose_name="SIRET")
    commune = tables.Column(verbose_name="Commune", accessor="commune__name")
    projects_count = tables.Column(verbose_name="Projets", attrs={"td": {"class": "text-end"}})
    is_active = tables.Column(verbose_name="État")

    class Meta:
        model = Carrier
        fields = ()
        sequence = ("legal_name", "kind", "siret", "commune", "projects_count", "is_active")
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "Aucun porteur."

    def render_is_active(self, record, value):
        if value:
            return "actif"
        label = "fusionné" if record.merged_into_id else "désactivé"
        return format_html('<span class="badge status-refused">{}</span>', label)
