"""Controls and visits (issue 17): the Caf checks on site or on documents that a funded project
runs as declared, against its own checklist, and decides what follows a failed control."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet, scoped

# What a Caf checks when it has not written its own list yet (Loire guide, Landes note:
# insurance, criminal records of the intervenants "on control", registers, bilan, publicity).
DEFAULT_CHECKLIST = (
    "Attestation d'assurance",
    "Extraits de casier judiciaire des intervenants",
    "Registres de présence",
    "Bilan de l'action",
    "Publicité du soutien de la Caf",
)


class ControlChecklistItem(models.Model):
    """One point of a Caf's control checklist, edited by its administrator."""

    caf = models.ForeignKey(
        "clasportal.Caf", on_delete=models.CASCADE, related_name="control_checklist"
    )
    label = models.CharField("point contrôlé", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("utilisé dans les nouveaux contrôles", default=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "point de la grille de contrôle"
        ordering = ["caf", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "label"], name="one_checklist_label_per_caf")
        ]

    def __str__(self):
        return self.label


class ControlQuerySet(ScopedQuerySet):
    scope = Scope(caf="project__campaign__caf", carrier="project__carrier")

    def for_list(self):
        return self.select_related("project__carrier", "project__campaign", "controller").order_by(
            "-date", "-pk"
        )


class Control(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", "Visite sur place"
        DOCUMENTS = "documents", "Contrôle sur pièces"

    class Result(models.TextChoices):
        COMPLIANT = "compliant", "Conforme"
        MINOR = "minor", "Constats mineurs"
        FAILED = "failed", "Non conforme"

    class Consequence(models.TextChoices):
        # What a failed control leads to; the consequences themselves are carried out on the
        # declaration (GC) and on the decision (committee), from the project's pages.
        NONE = "none", "Aucune suite financière (rappel au porteur)"
        DECLARATION_CORRECTION = (
            "declaration_correction",
            "Correction de la déclaration par le gestionnaire conseil",
        )
        RECOVERY = "recovery", "Récupération d'un indu"
        AGREMENT_SUSPENSION = "agrement_suspension", "Suspension de l'agrément"
        AGREMENT_WITHDRAWAL = "agrement_withdrawal", "Retrait de l'agrément"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="controls"
    )
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    date = models.DateField("date du contrôle")
    controller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="contrôle mené par",
    )
    findings = models.TextField(
        "constats", blank=True, help_text="Communiqués au porteur avec le résultat."
    )
    internal_note = models.TextField(
        "note interne", blank=True, help_text="Jamais montrée au porteur."
    )
    result = models.CharField("résultat", max_length=12, choices=Result.choices)
    follow_up = models.TextField(
        "suite demandée au porteur", blank=True, help_text="Ce que le porteur doit faire."
    )
    follow_up_due_on = models.DateField("à faire avant le", null=True, blank=True)
    follow_up_done_at = models.DateTimeField("suite réalisée le", null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consequence = models.CharField(
        "suite décidée", max_length=30, choices=Consequence.choices, blank=True
    )
    consequence_note = models.TextField("motif de la suite", blank=True)
    consequence_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consequence_decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ControlQuerySet.as_manager()

    class Meta:
        verbose_name = "contrôle"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["result", "date"])]
        constraints = [
            # Only a failed control leads to a consequence.
            models.CheckConstraint(
                condition=models.Q(consequence="") | models.Q(result="failed"),
                name="control_consequence_only_when_failed",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y}"

    @property
    def is_failed(self):
        return self.result == self.Result.FAILED

    @property
    def result_badge(self):
        return {"compliant": "success", "minor": "warning", "failed": "danger"}[self.result]

    @property
    def follow_up_pending(self):
        return bool(self.follow_up) and self.follow_up_done_at is None


class ControlCheck(models.Model):
    """One point of the checklist as found during a control; the label is copied so a later
    change of the Caf's list does not rewrite past controls."""

    class Status(models.TextChoices):
        OK = "ok", "Conforme"
        NOT_OK = "not_ok", "Non conforme"
        NOT_CHECKED = "not_checked", "Non vérifié"

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="checks")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField("point contrôlé", max_length=200)
    status = models.CharField(
        "constat", max_length=12, choices=Status.choices, default=Status.NOT_CHECKED
    )
    comment = models.TextField("commentaire", blank=True)
    comment_shared = models.BooleanField("commentaire communiqué au porteur", default=False)
    history = HistoricalRecords()

    objects = scoped(
        Scope(caf="control__project__campaign__caf", carrier="control__project__carrier")
    ).as_manager()

    class Meta:
        verbose_name = "point contrôlé"
        ordering = ["control", "position", "pk"]

    def __str__(self):
        return f"{self.label} : {self.get_status_display()}"
