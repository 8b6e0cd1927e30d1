"""Bilans: the Caf's questionnaire per campaign and each approved project's answers."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped


class BilanForm(models.Model):
    """The Caf's bilan questionnaire for one campaign, opened to each carrier with an approved
    project once the school year is over, with its due date."""

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.CASCADE, related_name="+")
    campaign = models.OneToOneField(
        "projects.Campaign", on_delete=models.CASCADE, related_name="bilan_form"
    )
    title = models.CharField("titre", max_length=200, default="Bilan de l'action Clas")
    introduction = models.TextField("présentation aux porteurs", blank=True)
    opens_on = models.DateField("ouvert aux porteurs à partir du")
    due_on = models.DateField("à transmettre avant le")
    required_for_renewal = models.BooleanField(
        "exigé avant tout renouvellement",
        default=False,
        help_text="Une demande de renouvellement de la campagne suivante ne peut être déposée "
        "qu'une fois ce bilan transmis.",
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "questionnaire de bilan"
        verbose_name_plural = "questionnaires de bilan"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")),
                name="bilan_due_after_opening",
            )
        ]

    def __str__(self):
        return f"{self.title} {self.campaign.school_year}"


class BilanQuestion(models.Model):
    class Kind(models.TextChoices):
        NUMBER = "number", "Nombre"
        TEXT = "text", "Texte"
        CHOICE = "choice", "Choix dans une liste"
        SCALE = "scale", "Échelle de 1 à 5"

    class Indicator(models.TextChoices):
        CHILDREN_FOLLOWED = "children_followed", "Enfants suivis"
        PARENTS_INVOLVED = "parents_involved", "Parents impliqués"
        SCHOOL_RELATIONS = "school_relations", "Relations avec l'école"
        OUTCOMES = "outcomes", "Effets observés"

    form = models.ForeignKey(BilanForm, on_delete=models.CASCADE, related_name="questions")
    section = models.CharField("partie", max_length=120)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("précision", max_length=300, blank=True)
    kind = models.CharField("type de réponse", max_length=10, choices=Kind.choices)
    choices = models.TextField("réponses possibles (une par ligne)", blank=True)
    required = models.BooleanField("réponse obligatoire", default=True)
    indicator = models.CharField(
        "indicateur du bilan départemental", max_length=30, choices=Indicator.choices, blank=True
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="form__caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "question du bilan"
        verbose_name_plural = "questions du bilan"
        ordering = ["form", "position", "pk"]

    def __str__(self):
        return self.text

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class BilanResponse(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "Transmis"

    form = models.ForeignKey(BilanForm, on_delete=models.PROTECT, related_name="responses")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="bilan_responses"
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default="draft")
    answers = models.JSONField("réponses", default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="form__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "bilan d'un projet"
        verbose_name_plural = "bilans des projets"
        ordering = ["-submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "project"], name="one_bilan_per_project")
        ]

    def __str__(self):
        return f"Bilan — {self.project}"
