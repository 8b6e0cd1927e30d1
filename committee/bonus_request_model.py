"""A bonus asked during the year (Loire form « demande de bonification »): a carrier whose
project is already agreed builds a socio-educational or parents' project for the year and asks
its advisor for the bonus before its forecast declaration (Loire guide, « Prévisionnel »)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": 0,
    "validators": [MinValueValidator(0)],
}


class BonusRequestQuerySet(ScopedQuerySet):
    scope = Scope(caf="project__campaign__caf", carrier="project__carrier")

    def pending(self):
        return self.filter(status=InYearBonusRequest.Status.PENDING)

    def for_queue(self):
        return self.select_related("project__carrier", "requested_by").order_by("requested_at")


class InYearBonusRequest(models.Model):
    class Bonus(models.TextChoices):
        CHILDREN = "children", "Bonus « enfants »"
        PARENTS = "parents", "Bonus « parents »"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente du conseiller"
        GRANTED = "granted", "Accordé"
        REFUSED = "refused", "Refusé"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="in_year_bonus_requests"
    )
    bonus = models.CharField("bonus demandé", max_length=10, choices=Bonus.choices)
    collectives = models.PositiveSmallIntegerField(
        "collectifs concernés", validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    description = models.TextField(
        "projet organisé sur toute l'année scolaire",
        help_text="Le projet socio-éducatif (enfants) ou d'accompagnement des parents, "
        "structuré sur l'année.",
    )
    equipment_cost = models.DecimalField("surcoût matériel pédagogique spécifique", **MONEY)
    speakers_cost = models.DecimalField("surcoût intervenants extérieurs", **MONEY)
    outings_cost = models.DecimalField("surcoût sorties et activités culturelles", **MONEY)
    specific_actions = models.TextField(
        "actions spécifiques pour les parents (accès aux droits, orientation, numérique…)",
        blank=True,
    )
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("motif de la décision", blank=True)
    history = HistoricalRecords()

    objects = BonusRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de bonus en cours d'année"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "bonus"],
                condition=models.Q(status="pending"),
                name="one_pending_bonus_request_per_bonus",
            )
        ]

    def __str__(self):
        return f"{self.get_bonus_display()} — {self.project}"

    @property
    def extra_cost(self):
        return self.equipment_cost + self.speakers_cost + self.outings_cost
