"""What happens around a project: its events (audit trail), messages and attachments."""

import uuid

from django.conf import settings
from django.db import models

from .campaigns import DocumentType
from .projects import Project


def attachment_path(instance, filename):
    # Never the user's file name on disk: a random name under the project's folder.
    return f"attachments/{instance.project_id}/{uuid.uuid4().hex}"


ACTION_LABELS = {
    "create": "brouillon créé",
    "submit": "demande déposée",
    "start_review": "instruction commencée",
    "request_changes": "modifications demandées",
    "propose": "proposé au comité",
    "approve": "agréé par le comité",
    "refuse": "refusé par le comité",
    "adjourn": "ajourné par le comité",
    "grant_bonus": "bonus accordé",
    "refuse_bonus": "bonus refusé",
    "revise_decision": "décision revue par le comité",
    "agenda": "inscrit à l'ordre du jour du comité",
    "other_financer": "décision d'un autre financeur enregistrée",
    "open_forecast": "déclaration prévisionnelle ouverte",
    "open_actual": "déclaration réelle ouverte",
    "submit_forecast": "déclaration prévisionnelle transmise",
    "submit_actual": "déclaration réelle transmise",
    "return_forecast": "déclaration prévisionnelle renvoyée pour correction",
    "return_actual": "déclaration réelle renvoyée pour correction",
    "validate_forecast": "déclaration prévisionnelle validée",
    "validate_actual": "déclaration réelle validée",
    "justification": "justification examinée",
}


class ProjectEvent(models.Model):
    """One line of a project's audit trail: who did what, when, from which status to which."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField("action", max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField("commentaire", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "événement"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} ({self.created_at:%d/%m/%Y})"

    def get_action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    @staticmethod
    def _status_label(code):
        from .projects import ProjectStatus

        return ProjectStatus(code).label if code in ProjectStatus.values else code

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

    class Meta:
        verbose_name = "pièce jointe"
        ordering = ["document_type__position", "uploaded_at"]

    def __str__(self):
        return self.original_name
