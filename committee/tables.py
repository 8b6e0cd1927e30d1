import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from clasportal.lists import QUICK_TEMPLATE, QuickRows
from projects.models import Project


class QueueTable(QuickRows, tables.Table):
    # Read by the queue beyond Project.LIST_FIELDS (Project.objects.narrow).
    EXTRA_FIELDS = (
        "bonus_children_requested",
        "bonus_children_granted",
        "bonus_parents_requested",
        "bonus_parents_granted",
        "has_findings",
    )
    title = tables.Column(verbose_name="Projet")
    carrier = tables.Column(verbose_name="Porteur", accessor="carrier__legal_name")
    territory = tables.Column(
        verbose_name="Territoire", accessor="carrier__commune__territory__name", default="—"
    )
    commune = tables.Column(verbose_name="Commune", accessor="carrier__commune__name")
    situation = tables.Column(verbose_name="Situation")
    collectives_count = tables.Column(
        verbose_name="Collectifs", attrs={"td": {"class": "text-end"}}
    )
    bonus = tables.Column(verbose_name="Bonus demandés", empty_values=(), orderable=False)
    has_findings = tables.Column(verbose_name="Constats")
    status = tables.Column(verbose_name="Statut")

    class Meta:
        model = Project
        fields = ()
        sequence = (
            "title",
            "carrier",
            "territory",
            "commune",
            "situation",
            "collectives_count",
            "bonus",
            "has_findings",
            "status",
        )
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "Aucun projet ne correspond à ces critères."
        template_name = QUICK_TEMPLATE

    def render_title(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("committee:review", args=[record.pk]), value
        )

    def render_status(self, record, value):
        return format_html('<span class="badge status-{}">{}</span>', record.status, value)

    def render_situation(self, record):
        return record.get_situation_display()

    def render_bonus(self, record):
        parts = []
        if record.bonus_children_requested:
            parts.append("enfants" + (" ✓" if record.bonus_children_granted else ""))
        if record.bonus_parents_requested:
            parts.append("parents" + (" ✓" if record.bonus_parents_granted else ""))
        return ", ".join(parts) or "—"

    def render_has_findings(self, value):
        return "oui" if value else "—"

    def row_cells(self, record):
        commune = record.carrier.commune
        territory = commune.territory if commune else None
        return (
            self.render_title(record, record.title),
            record.carrier.legal_name,
            territory.name if territory and territory.name not in (None, "") else "—",
            commune.name if commune else "—",
            record.get_situation_display(),
            record.collectives_count,
            self.render_bonus(record),
            self.render_has_findings(record.has_findings),
            self.render_status(record, record.get_status_display()),
        )
