"""A project's collectives (groups of children), their speakers, and its budget lines."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.models import Commune
from clasportal.rules import Scope
from clasportal.scoping import scoped

from .projects import Project, SchoolLevel


class Collective(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="collectives")
    name = models.CharField("nom", max_length=120)
    school_level = models.CharField("niveau", max_length=20, choices=SchoolLevel.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    # The collective's rural status: its commune's flag, unless the advisor overrides it with a
    # reason (projects.rural.effective_rural keeps is_rural equal to the result).
    is_rural = models.BooleanField("milieu rural", default=False)
    rural_override = models.BooleanField(
        "milieu rural retenu par la Caf", null=True, blank=True, default=None
    )
    rural_override_reason = models.TextField("motif de la Caf", blank=True)
    planned_children = models.PositiveSmallIntegerField(
        "enfants prévus", validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    planned_weeks = models.PositiveSmallIntegerField(
        "semaines prévues", validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    children_justification = models.TextField(
        "justification de l'effectif (hors de la fourchette de la Caf)", blank=True
    )
    weekdays = models.JSONField("jours des séances", default=list, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField(
        "séances par semaine", default=2, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    session_minutes = models.PositiveSmallIntegerField(
        "durée d'une séance (minutes)",
        default=90,
        validators=[MinValueValidator(30), MaxValueValidator(300)],
    )
    start_date = models.DateField("première séance", null=True, blank=True)
    end_date = models.DateField("dernière séance", null=True, blank=True)
    history = HistoricalRecords()

    objects = scoped(
        Scope(
            caf="project__campaign__caf",
            carrier="project__carrier",
            session="project__agenda_items__session",
            deposited="project__status",
        )
    ).as_manager()

    class Meta:
        verbose_name = "collectif"
        ordering = ["project", "name"]

    def __str__(self):
        return self.name


class Intervenant(models.Model):
    collective = models.ForeignKey(
        Collective, on_delete=models.CASCADE, related_name="intervenants"
    )
    full_name = models.CharField("nom et prénom", max_length=150)
    qualification = models.CharField("qualification ou expérience", max_length=255)
    is_volunteer = models.BooleanField("bénévole", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "intervenant"
        ordering = ["collective", "id"]

    def __str__(self):
        return self.full_name


class Financer(models.TextChoices):
    ETAT = "etat", "État"
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"
    INTERCOMMUNALITE = "intercommunalite", "Intercommunalité"
    COMMUNE = "commune", "Commune"
    CAF = "caf", "Caf (prestation de service Clas)"
    MSA = "msa", "MSA"
    POLITIQUE_VILLE = "politique_ville", "Politique de la ville"
    EUROPE = "europe", "Fonds européens"
    AUTRE = "autre", "Autres financeurs"


class BudgetLine(models.Model):
    """One amount of the CERFA 12156 budget: a charge (6x, 86x) or a product (7x, 87x)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    account = models.CharField("compte", max_length=8)
    financer = models.CharField("financeur", max_length=20, choices=Financer.choices, blank=True)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    # A co-financer's line derived from the schemes the request asks (issue 18): the partner's
    # own label (« MSA-63-PUY DE DOME »); empty for a line the carrier typed.
    label = models.CharField("libellé du financeur", max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne budgétaire"
        ordering = ["project", "account", "financer"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "account", "financer"], name="budget_line_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_line_positive"),
        ]

    def __str__(self):
        return f"{self.account} {self.financer}".strip()

    @property
    def is_charge(self):
        return self.account.startswith(("6", "86"))
