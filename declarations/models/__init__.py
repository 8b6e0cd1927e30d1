"""Forecast and actual declarations, their justifications and documents, and payments."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet, scoped

COUNT = {"default": 0, "validators": [MinValueValidator(0), MaxValueValidator(100_000)]}


class DeclarationQuerySet(ScopedQuerySet):
    scope = Scope(caf="project__campaign__caf", carrier="project__carrier")

    def for_list(self):
        return self.select_related(
            "project__carrier__commune__territory", "project__campaign"
        ).order_by("status", "submitted_at", "pk")

    def with_lateness(self, today):
        """Each row says whether it is late: sent after its due date, or still not sent once
        it has passed (local dates); lists filter on it (`late=True`)."""
        late = models.Q(due_on__isnull=False) & (
            models.Q(submitted_at__isnull=False, submitted_at__date__gt=models.F("due_on"))
            | models.Q(submitted_at__isnull=True, due_on__lt=today)
        )
        return self.annotate(
            late=models.ExpressionWrapper(late, output_field=models.BooleanField())
        )


class Declaration(models.Model):
    class Kind(models.TextChoices):
        FORECAST = "forecast", "Déclaration prévisionnelle"
        ACTUAL = "actual", "Déclaration réelle"

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Transmise à la Caf"
        RETURNED = "returned", "Renvoyée pour correction"
        VALIDATED = "validated", "Validée"
        # The decision it followed was revised or the agrément withdrawn (issue 17).
        CANCELLED = "cancelled", "Annulée"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="declarations"
    )
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DRAFT)
    collectives = models.PositiveSmallIntegerField(
        "nombre de collectifs", validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    weeks = models.PositiveSmallIntegerField(
        "semaines d'activité (total)", validators=[MaxValueValidator(99)]
    )
    weeks_sept_dec = models.PositiveSmallIntegerField(
        "semaines de septembre à décembre",
        null=True,
        blank=True,
        validators=[MaxValueValidator(20)],
    )
    weeks_jan_aug = models.PositiveSmallIntegerField(
        "semaines de janvier à août", null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    children = models.JSONField("enfants inscrits par collectif", default=list, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField("séances par semaine", default=2)
    bonus_children_collectives = models.PositiveSmallIntegerField(
        "collectifs concernés par le bonus enfants", default=0
    )
    bonus_parents_collectives = models.PositiveSmallIntegerField(
        "collectifs concernés par le bonus parents", default=0
    )
    # Actual declaration and bilan (SPEC §6, Loire guide).
    children_elementaire = models.PositiveIntegerField("enfants en élémentaire", **COUNT)
    children_college = models.PositiveIntegerField("enfants au collège", **COUNT)
    children_lycee = models.PositiveIntegerField("enfants au lycée", **COUNT)
    children_hors_filiere = models.PositiveIntegerField("enfants hors filière générale", **COUNT)
    girls = models.PositiveIntegerField("filles", **COUNT)
    boys = models.PositiveIntegerField("garçons", **COUNT)
    qpv_residents = models.PositiveIntegerField("enfants résidant en QPV", **COUNT)
    families = models.PositiveIntegerField("familles distinctes", **COUNT)
    parents_reached = models.PositiveIntegerField("parents touchés par les actions", **COUNT)
    sessions_held = models.PositiveIntegerField("séances tenues (total)", **COUNT)
    presences = models.PositiveIntegerField("enfants présents, cumul sur les séances", **COUNT)
    staff_fte_paid = models.DecimalField(
        "ETP salariés", max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    staff_fte_volunteer = models.DecimalField(
        "ETP bénévoles",
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    staff_hours = models.PositiveIntegerField("heures réalisées par ces ETP", **COUNT)
    actions_run = models.TextField("actions menées (bilan)", blank=True)
    due_on = models.DateField("à transmettre avant le", null=True, blank=True)
    findings = models.JSONField("constats à la transmission", default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computation = models.ForeignKey(
        "funding.FundingComputation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    right = models.DecimalField(
        "droit calculé", max_digits=12, decimal_places=2, null=True, blank=True
    )
    return_message = models.TextField("motif du renvoi", blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = "déclaration"
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_declaration_per_kind")
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.project}"

    @property
    def is_actual(self):
        return self.kind == self.Kind.ACTUAL

    @property
    def result_block(self):
        """The frozen computation's figures for this declaration (forecast or actual part)."""
        if self.computation is None:
            return None
        result = self.computation.result
        return result.get("actual") or result.get("forecast")

    @property
    def average_presence(self):
        return round(self.presences / self.sessions_held, 1) if self.sessions_held else None

    @property
    def children_per_fte(self):
        fte = self.staff_fte_paid + self.staff_fte_volunteer
        total = sum(self.children or [])
        return round(total / fte, 1) if fte else None


class DeclarationLine(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    account = models.CharField("compte", max_length=8)
    financer = models.CharField("financeur", max_length=20, blank=True)
    amount = models.DecimalField(
        "montant", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    objects = scoped(
        Scope(caf="declaration__project__campaign__caf", carrier="declaration__project__carrier")
    ).as_manager()

    class Meta:
        ordering = ["declaration", "account", "financer"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "account", "financer"], name="declaration_line_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="declaration_line_positive"
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.financer}".strip()

    @property
    def is_charge(self):
        return self.account.startswith(("6", "86"))


class Justification(models.Model):
    """The carrier's answer to a warning; the GC accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "À examiner"
        ACCEPTED = "accepted", "Acceptée"
        REJECTED = "rejected", "Rejetée"

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="justifications"
    )
    code = models.CharField(max_length=40)
    field = models.CharField(max_length=60)
    text = models.TextField("justification")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_note = models.TextField("commentaire du gestionnaire", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # A rejection states its effect on the money (issue 17); declarations/consequences.py reads it.
    effect = models.CharField("conséquence du rejet", max_length=20, blank=True)
    effect_collectives = models.JSONField("collectifs concernés", default=list, blank=True)
    effect_value = models.PositiveSmallIntegerField("valeur retenue", null=True, blank=True)
    effect_bonus = models.CharField("bonus retiré", max_length=40, blank=True)
    # The contradictory procedure: the carrier answers a rejection once, before validation.
    carrier_answer = models.TextField("réponse du porteur", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = scoped(
        Scope(caf="declaration__project__campaign__caf", carrier="declaration__project__carrier")
    ).as_manager()

    class Meta:
        ordering = ["declaration", "code", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "code", "field"], name="one_justification_per_finding"
            )
        ]

    def __str__(self):
        return f"{self.code} ({self.get_status_display()})"


def declaration_document_path(instance, filename):
    return f"declarations/{instance.declaration_id}/{uuid.uuid4().hex}"


class DeclarationDocument(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Facture (surcoût des bonus)"
        BILAN = "bilan", "Bilan de l'action"
        OTHER = "other", "Autre document"

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=declaration_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(
        Scope(caf="declaration__project__campaign__caf", carrier="declaration__project__carrier")
    ).as_manager()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Payment(models.Model):
    class Kind(models.TextChoices):
        FIRST_ADVANCE = "advance_1", "Premier acompte"
        SECOND_ADVANCE = "advance_2", "Second acompte"
        BALANCE = "balance", "Solde"
        RECOVERY = "recovery", "Indu à récupérer"

    class Status(models.TextChoices):
        TO_PAY = "to_pay", "À payer"
        SENT = "sent", "Transmis à la comptabilité"
        PAID = "paid", "Payé"
        TO_RECOVER = "to_recover", "À récupérer"
        RECOVERED = "recovered", "Récupéré"
        # Issue 17: a revised decision or a withdrawn agrément cancels what was not paid; a
        # suspended agrément holds it until the suspension is lifted.
        CANCELLED = "cancelled", "Annulé"
        ON_HOLD = "on_hold", "Suspendu"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="payments"
    )
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    status = models.CharField("statut", max_length=12, choices=Status.choices)
    payee_name = models.CharField("bénéficiaire", max_length=200, blank=True)
    payee_siret = models.CharField("SIRET du bénéficiaire", max_length=14, blank=True)
    computation = models.ForeignKey(
        "funding.FundingComputation", on_delete=models.PROTECT, related_name="+"
    )
    # The project's agrément, copied on each payment in the same transaction that changes it
    # (declarations.agreement_cascade): the database refuses a payment that moves on a project no
    # longer approved (constraint `payment_moves_only_when_approved`).
    project_approved = models.BooleanField("projet agréé", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "paiement"
        ordering = ["project", "created_at", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="one_payment_per_kind"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_positive"),
            # No payment to pay or sent on a project that is no longer approved: only what is
            # settled (paid, cancelled), held (suspension) or recovered may remain.
            models.CheckConstraint(
                condition=models.Q(project_approved=True)
                | models.Q(status__in=["paid", "cancelled", "on_hold", "to_recover", "recovered"]),
                name="payment_moves_only_when_approved",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.amount} €"


# Bilans and the resource library live in their own modules; the app sees them here.
from .bilans import BilanForm, BilanQuestion, BilanResponse  # noqa: E402
from .bonus_costs import BonusCosts  # noqa: E402
from .controls import Control, ControlCheck, ControlChecklistItem  # noqa: E402
from .recoveries import AgreementChange, Recovery  # noqa: E402
from .resources import Resource  # noqa: E402

__all__ = [
    "AgreementChange",
    "BilanForm",
    "BilanQuestion",
    "BilanResponse",
    "BonusCosts",
    "Control",
    "ControlCheck",
    "ControlChecklistItem",
    "Declaration",
    "DeclarationDocument",
    "DeclarationLine",
    "DeclarationQuerySet",
    "Justification",
    "Payment",
    "Recovery",
    "Resource",
    "declaration_document_path",
]
