"""What a revised decision or a withdrawn agrément leaves behind (issue 17): the amount the
carrier has to pay back (indu), with its status and its reason, and the record of each
suspension, lifting or withdrawal of an agrément during the year."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped

MONEY = {"max_digits": 12, "decimal_places": 2}


class Recovery(models.Model):
    """An amount to recover (indu) from the carrier, from notification to settlement."""

    class Origin(models.TextChoices):
        REVISION = "revision", "Décision du comité revue"
        WITHDRAWAL = "withdrawal", "Retrait de l'agrément"

    class Status(models.TextChoices):
        NOTIFIED = "notified", "Notifié au porteur"
        OFFSET = "offset", "Récupéré sur le prochain paiement"
        REPAID = "repaid", "Remboursé par le porteur"
        CANCELLED = "cancelled", "Annulé"

    # The project's payments (PROTECT) keep a project with money from being deleted.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="recoveries"
    )
    origin = models.CharField("origine", max_length=12, choices=Origin.choices)
    amount = models.DecimalField("montant à récupérer", validators=[MinValueValidator(0)], **MONEY)
    status = models.CharField(
        "statut", max_length=12, choices=Status.choices, default=Status.NOTIFIED
    )
    reason = models.TextField("motif")
    # The step-by-step explanation in French, as the carrier reads it.
    explanation = models.JSONField("explication", default=list, blank=True)
    notified_at = models.DateTimeField("notifié le", auto_now_add=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    settled_at = models.DateTimeField("soldé le", null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settle_note = models.CharField("commentaire du règlement", max_length=255, blank=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "indu à récupérer"
        verbose_name_plural = "indus à récupérer"
        ordering = ["project", "notified_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive")
        ]

    def __str__(self):
        return f"Indu de {self.amount} € — {self.project}"


class AgreementChange(models.Model):
    """A suspension, its lifting, or the withdrawal of an agrément during the year."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension de l'agrément"
        LIFTING = "lifting", "Levée de la suspension"
        WITHDRAWAL = "withdrawal", "Retrait de l'agrément"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="agreement_changes"
    )
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    effective_on = models.DateField("à compter du")
    reason = models.TextField("motif")
    weeks_planned = models.PositiveSmallIntegerField("semaines prévues", null=True, blank=True)
    weeks_run = models.PositiveSmallIntegerField("semaines réalisées", null=True, blank=True)
    right = models.DecimalField("droit de l'année", null=True, blank=True, **MONEY)
    prorated_right = models.DecimalField("droit au prorata", null=True, blank=True, **MONEY)
    paid = models.DecimalField("déjà versé", null=True, blank=True, **MONEY)
    still_due = models.DecimalField("reste dû", null=True, blank=True, **MONEY)
    explanation = models.JSONField("explication", default=list, blank=True)
    recovery = models.OneToOneField(
        Recovery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreement_change",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "changement d'agrément"
        ordering = ["project", "decided_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.project}"
