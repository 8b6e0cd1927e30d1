"""A Caf's yearly call for projects, its deposit window and the documents it asks for."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.models import Caf
from clasportal.rules import Scope
from clasportal.scoping import scoped


class Campaign(models.Model):
    """A Caf's yearly call for projects for school year N/N+1 (convention 1 Sept N – 31 Aug N+1)."""

    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="campaigns")
    year = models.PositiveSmallIntegerField("année scolaire (N)")
    opens_on = models.DateField("ouverture du dépôt")
    closes_on = models.DateField("clôture du dépôt")
    forecast_due_on = models.DateField(
        "déclarations prévisionnelles attendues avant le", null=True, blank=True
    )
    actual_due_on = models.DateField(
        "déclarations réelles attendues avant le", null=True, blank=True
    )
    priorities = models.TextField(
        "priorités de l'année",
        blank=True,
        help_text="Montrées aux porteurs sur la page de la campagne et au début de la demande.",
    )
    renewals_only = models.BooleanField(
        "renouvellements seulement, sans collectif supplémentaire",
        default=False,
        help_text="Année de transition : seuls les porteurs déjà financés déposent, "
        "sans plus de collectifs que l'an passé.",
    )
    # An archived campaign is read-only (no transition, no edit), out of the working lists and
    # still found by choosing it in the lists' campaign filter.
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="archivée par",
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name="copiée de",
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "campagne"
        ordering = ["caf", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "year"], name="campaign_unique_year_per_caf"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="campaign_window_ordered",
            ),
        ]

    def __str__(self):
        return f"Campagne {self.school_year}"

    @property
    def school_year(self):
        return f"{self.year}/{self.year + 1}"

    def is_open_on(self, day):
        return self.archived_at is None and self.opens_on <= day <= self.closes_on

    @property
    def is_archived(self):
        return self.archived_at is not None


class WindowException(models.Model):
    """The Caf reopens a closed deposit window for one named carrier, with a reason (traced)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exceptions")
    carrier = models.ForeignKey(
        "projects.Carrier", on_delete=models.CASCADE, related_name="window_exceptions"
    )
    until = models.DateField("dépôt possible jusqu'au")
    reason = models.TextField("motif")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="campaign__caf", carrier="carrier")).as_manager()

    class Meta:
        verbose_name = "réouverture du dépôt"
        verbose_name_plural = "réouvertures du dépôt"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.carrier} jusqu'au {self.until:%d/%m/%Y}"


class DocumentType(models.Model):
    """A document a Caf asks for with a request (statutes, RIB, insurance, last year's bilan…)."""

    caf = models.ForeignKey(Caf, on_delete=models.CASCADE, related_name="document_types")
    # Empty: asked in every campaign of the Caf; set: asked in that campaign only.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_types",
        verbose_name="campagne",
    )
    name = models.CharField("document", max_length=150)
    help_text = models.CharField("précision", max_length=255, blank=True)
    situations = models.JSONField(
        "situations concernées", default=list, help_text="1, 2 et/ou 3 ; vide : toutes"
    )
    is_required = models.BooleanField("obligatoire", default=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "pièce demandée"
        verbose_name_plural = "pièces demandées"
        ordering = ["caf", "position", "name"]

    def __str__(self):
        return self.name

    def applies_to(self, situation):
        return not self.situations or int(situation) in self.situations
