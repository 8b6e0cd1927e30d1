"""The extra costs of each granted bonus, declared in the forecast and the actual (SPEC §4.3,
Loire guide « Les bonifications »), with the collectives the bonus concerns."""

from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped

MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "default": 0,
    "validators": [MinValueValidator(0)],
}


class BonusCosts(models.Model):
    declaration = models.OneToOneField(
        "declarations.Declaration", on_delete=models.CASCADE, related_name="bonus_costs"
    )
    # Bonus « enfants »: the three kinds of extra cost of the Loire form.
    children_equipment_cost = models.DecimalField(
        "surcoût matériel pédagogique spécifique", **MONEY
    )
    children_speakers_cost = models.DecimalField(
        "surcoût intervenants extérieurs (enfants)", **MONEY
    )
    children_outings_cost = models.DecimalField("surcoût sorties et activités culturelles", **MONEY)
    # Numbers of the declaration's collectives (1, 2, …) the bonus concerns.
    children_collectives = models.JSONField(
        "collectifs concernés (bonus enfants)", default=list, blank=True
    )
    # Bonus « parents »: external speakers and/or specific actions (Loire: « annule et remplace »).
    parents_speakers_cost = models.DecimalField(
        "surcoût intervenants extérieurs (parents)", **MONEY
    )
    parents_specific_actions = models.TextField(
        "actions spécifiques pour les parents (accès aux droits, orientation, numérique…)",
        blank=True,
    )
    parents_collectives = models.JSONField(
        "collectifs concernés (bonus parents)", default=list, blank=True
    )
    history = HistoricalRecords()

    objects = scoped(
        Scope(caf="declaration__project__campaign__caf", carrier="declaration__project__carrier")
    ).as_manager()

    class Meta:
        verbose_name = "surcoûts des bonus"
        verbose_name_plural = "surcoûts des bonus"

    def __str__(self):
        return f"Surcoûts des bonus — {self.declaration}"

    @property
    def children_total(self):
        return (
            self.children_equipment_cost + self.children_speakers_cost + self.children_outings_cost
        )

    @property
    def parents_total(self):
        return self.parents_speakers_cost
