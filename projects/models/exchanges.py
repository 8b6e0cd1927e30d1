"""What happens around a project: its events (audit trail), messages and attachments."""

import uuid

from django.conf import settings
from django.db import models

from clasportal.rules import Scope
from clasportal.scoping import scoped

from .campaigns import DocumentType
from .projects import Project


def attachment_path(instance, filename):
    # Never the user's file name on disk: a random name under the project's folder.
    return f"attachments/{instance.project_id}/{uuid.uuid4().hex}"


class Action(models.TextChoices):
    """Every kind of line in the audit trail, with its French label."""

    CREATE = "create", "brouillon créé"
    SUBMIT = "submit", "demande déposée"
    START_REVIEW = "start_review", "instruction commencée"
    REQUEST_CHANGES = "request_changes", "modifications demandées"
    TAKE_BACK = "take_back", "demande reprise en instruction"
    PROPOSE = "propose", "proposé au comité"
    APPROVE = "approve", "agréé par le comité"
    REFUSE = "refuse", "refusé par le comité"
    ADJOURN = "adjourn", "ajourné par le comité"
    GRANT_BONUS = "grant_bonus", "bonus accordé"
    REFUSE_BONUS = "refuse_bonus", "bonus refusé"
    REVISE_DECISION = "revise_decision", "décision revue par le comité"
    AGENDA = "agenda", "inscrit à l'ordre du jour du comité"
    RESCHEDULE = "reschedule", "inscrit à nouveau après ajournement"
    OTHER_FINANCER = "other_financer", "décision d'un autre financeur enregistrée"
    DELETE_ATTACHMENT = "delete_attachment", "pièce supprimée"
    OPEN_FORECAST = "open_forecast", "déclaration prévisionnelle ouverte"
    OPEN_ACTUAL = "open_actual", "déclaration réelle ouverte"
    SUBMIT_FORECAST = "submit_forecast", "déclaration prévisionnelle transmise"
    SUBMIT_ACTUAL = "submit_actual", "déclaration réelle transmise"
    RETURN_FORECAST = "return_forecast", "déclaration prévisionnelle renvoyée pour correction"
    RETURN_ACTUAL = "return_actual", "déclaration réelle renvoyée pour correction"
    VALIDATE_FORECAST = "validate_forecast", "déclaration prévisionnelle validée"
    VALIDATE_ACTUAL = "validate_actual", "déclaration réelle validée"
    JUSTIFICATION = "justification", "justification examinée"
    SEND_PAYMENT = "send_payment", "paiement transmis à la comptabilité"
    PAY = "pay", "paiement effectué"
    RECOVER = "recover", "indu récupéré"
    CLOSE_SESSION = "close_session", "comité clos"
    DUTY_REFUSED = "duty_refused", "paiement refusé : séparation des tâches"
    RURAL_OVERRIDE = "rural_override", "milieu rural d'un collectif revu par la Caf"


ACTION_LABELS = dict(Action.choices) | {
    # A convention's events are recorded by projects.conventions without being choices of the
    # field (no migration for a label): the audit page and the histories read them in French.
    "convention_created": "convention établie",
    "convention_amended": "avenant à la convention",
    "convention_signed": "convention signée",
    "convention_withdrawn": "convention retirée",
    "convention_year_started": "année de convention commencée",
    "convention_year_funded": "année de convention financée",
    "justification_answer": "réponse du porteur au rejet d'une justification",
    # Controls and visits, and bonuses asked during the year (issue 17).
    "control_recorded": "contrôle enregistré",
    "control_updated": "contrôle modifié",
    "control_follow_up_done": "suite du contrôle réalisée",
    "control_consequence": "suite décidée après un contrôle",
    "bonus_requested": "bonus demandé en cours d'année",
    # Co-financers (issue 18, committee.cofinancing).
    "financer_decision": "décision d'un financeur au comité",
    "envelope_overrun": "enveloppe dépassée (confirmé)",
    "envelope_set": "enveloppe fixée",
    # Issue 17: a revised decision or a changed agrément, and what followed for the money.
    "suspend": "agrément suspendu par le comité",
    "lift_suspension": "suspension de l'agrément levée",
    "withdraw": "agrément retiré par le comité",
    "consequences": "conséquences financières appliquées",
    "cancel_forecast": "déclaration prévisionnelle annulée",
    "cancel_actual": "déclaration réelle annulée",
    "cancel_payment": "paiement annulé",
    "hold_payment": "paiement suspendu",
    "release_payment": "paiement repris",
    "recovery_notified": "indu notifié au porteur",
    "offset_recovery": "indu récupéré sur un paiement",
    "repay_recovery": "indu remboursé par le porteur",
    "cancel_recovery": "indu annulé",
}
SUBJECT_LABELS = {"session": "Comité départemental"}


class ProjectEvent(models.Model):
    """One line of the Caf's audit trail: who did what, when, on what, from which status to which.

    Most events are about a project; `subject` says what changed state (a project, a declaration,
    a payment, a committee session) and gives the status labels of `from_status`/`to_status`.
    """

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    subject = models.CharField("objet", max_length=20, default="project")
    subject_id = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField("action", max_length=40, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField("commentaire", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = scoped(Scope(caf="caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "événement"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} ({self.created_at:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.caf_id is None and self.project_id is not None:
            self.caf_id = self.project.campaign.caf_id
            self.subject_id = self.subject_id or self.project_id
        super().save(*args, **kwargs)

    def get_action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def subject_label(self):
        """What the event is about, for lines with no project (a committee session)."""
        if self.project_id:
            return self.project.title
        return SUBJECT_LABELS.get(self.subject, self.subject)

    def _status_label(self, code):
        from clasportal.transitions import STATUS_LABELS

        return STATUS_LABELS.get(self.subject, {}).get(code, code)

    @property
    def from_label(self):
        return self._status_label(self.from_status)

    @property
    def to_label(self):
        return self._status_label(self.to_status)


class ProjectMessage(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_caf = models.BooleanField(default=False)
    body = models.TextField("message")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Message du {self.created_at:%d/%m/%Y}"


class Attachment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["document_type__position", "uploaded_at"]

    def __str__(self):
        return self.original_name
