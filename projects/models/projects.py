"""Projects (their collectives and budget lines: collectives.py)."""

from django.apps import apps
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet

from .campaigns import Campaign
from .carriers import Carrier


class Situation(models.IntegerChoices):
    RENEWAL = 1, "Renouvellement (convention qui s'achève)"
    CONTINUING = 2, "Convention pluriannuelle en cours"
    NEW_CARRIER = 3, "Nouveau porteur"
    # A carrier already funded for another action starts a brand-new project (issue 20).
    NEW_PROJECT = 4, "Nouveau projet d'un porteur déjà financé"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    UNDER_REVIEW = "under_review", "En instruction"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    PROPOSED = "proposed", "Proposé au comité"
    APPROVED = "approved", "Agréé"
    REFUSED = "refused", "Refusé"
    ADJOURNED = "adjourned", "Ajourné"
    # A continuing year of a convention whose forecast changes the agreed figures.
    ADJUSTMENT = "adjustment", "Ajustement à valider"
    # The committee stops an agrément during the year (Vosges note, issue 17): suspended until
    # it is lifted or turned into a withdrawal; withdrawn for good, the right prorated.
    SUSPENDED = "suspended", "Agrément suspendu"
    WITHDRAWN = "withdrawn", "Agrément retiré"


# Statuses that ask something of the Caf (dashboards' "needs attention").
AWAITING_REVIEW = (ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW)


class SchoolLevel(models.TextChoices):
    ELEMENTAIRE = "elementaire", "Élémentaire"
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    HORS_FILIERE = "hors_filiere", "Hors filière générale"


# What the project lists read (projects/tables.py, includes/project_rows.html, dashboards).
LIST_FIELDS = (
    "title",
    "status",
    "situation",
    "carrier",
    "carrier__legal_name",
    "carrier__caf",
    "carrier__commune",
    "carrier__commune__name",
    "carrier__commune__territory",
    "carrier__commune__territory__name",
    "campaign",
    "campaign__year",
    "campaign__caf",
)


class ProjectQuerySet(ScopedQuerySet):
    scope = Scope(
        caf="campaign__caf", carrier="carrier", session="agenda_items__session", deposited="status"
    )

    def for_list(self):
        # The ordering is explicit (with the key last) so that pages are stable.
        ordering = self.query.order_by or self.model._meta.ordering
        return (
            self.select_related("carrier", "campaign", "carrier__commune__territory")
            .with_collective_counts(children=True)
            .order_by(*ordering, "pk")
        )

    def narrow(self, *extra):
        """Only the columns the project lists show (``LIST_FIELDS``, plus ``extra``): a project
        row has about 50 columns, and a list builds 25 of them with their carrier, campaign,
        commune and territory. A list that shows another column names it in ``extra``; one
        forgotten costs a query per row, which tests/test_query_budgets.py catches."""
        return self.only(*LIST_FIELDS, *extra)

    def with_collective_counts(self, children=False):
        """collectives_count (and children_planned) as correlated subqueries, not a join with
        GROUP BY: PostgreSQL sorts and cuts the page first, then counts for its rows only,
        and never groups by the ~50 columns of a project (issue 21: 5× faster on a large Caf)."""
        collectives = (
            apps.get_model("projects", "Collective")
            .objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
        )
        counts = {
            "collectives_count": Coalesce(
                Subquery(collectives.annotate(n=models.Count("pk")).values("n")), 0
            )
        }
        if children:
            counts["children_planned"] = Subquery(
                collectives.annotate(n=models.Sum("planned_children")).values("n")
            )
        return self.annotate(**counts)

    def territories_first(self, user):
        """Advisors see their own territories' projects first (SPEC §1)."""
        profile = user.staff_profile_or_none
        if profile is None:
            return self
        mine = profile.territories.through.objects.filter(
            staffprofile_id=profile.pk, territory_id=OuterRef("carrier__commune__territory_id")
        )
        return self.annotate(in_my_territory=Exists(mine)).order_by(
            "-in_my_territory", *self.query.order_by or self.model._meta.ordering, "pk"
        )


class Project(models.Model):
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="projects")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField("intitulé", max_length=200)
    situation = models.PositiveSmallIntegerField("situation", choices=Situation.choices)
    status = models.CharField(
        "statut", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    school_level = models.CharField(
        "niveau", max_length=20, choices=SchoolLevel.choices, blank=True
    )
    agreed_collectives = models.PositiveSmallIntegerField(
        "collectifs agréés", null=True, blank=True
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name="projet de l'année précédente",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Step 2: the project on the four axes of the referential (SPEC §3).
    axis_children = models.TextField("actions auprès des enfants et des jeunes", blank=True)
    axis_parents = models.TextField("actions auprès et avec les parents", blank=True)
    axis_school = models.TextField("concertation et coordination avec l'école", blank=True)
    axis_territory = models.TextField("coordination avec les acteurs du territoire", blank=True)
    objectives = models.TextField("objectifs du projet", blank=True)
    partner_schools = models.TextField("écoles et établissements partenaires", blank=True)
    partner_schemes = models.TextField(
        "dispositifs du territoire (PEL, PEdT, PRE, Cités éducatives, REAAP…)", blank=True
    )
    is_qpv = models.BooleanField("le projet concerne un quartier prioritaire (QPV)", default=False)
    public_levels = models.JSONField("classes accueillies", default=list, blank=True)
    premises = models.TextField("locaux (adresse, accessibilité aux parents)", blank=True)
    coordinator_name = models.CharField("coordinateur ou coordinatrice", max_length=150, blank=True)
    coordinator_qualification = models.CharField(
        "diplôme et expérience du coordinateur", max_length=255, blank=True
    )
    coordinator_has_bac2 = models.BooleanField("niveau bac+2 au moins", default=False)
    # Step 5: bonus requests (SPEC §4.3).
    bonus_children_requested = models.BooleanField("je demande le bonus « enfants »", default=False)
    bonus_children_collectives = models.PositiveSmallIntegerField(
        "collectifs concernés (bonus enfants)", default=0
    )
    bonus_children_project = models.TextField(
        "projet socio-éducatif structuré sur l'année (fil rouge)", blank=True
    )
    bonus_children_equipment_cost = models.DecimalField(
        "surcoût matériel pédagogique spécifique",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    bonus_children_speakers_cost = models.DecimalField(
        "surcoût intervenants extérieurs (enfants)",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    bonus_children_outings_cost = models.DecimalField(
        "surcoût sorties et activités culturelles",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    bonus_parents_requested = models.BooleanField("je demande le bonus « parents »", default=False)
    bonus_parents_collectives = models.PositiveSmallIntegerField(
        "collectifs concernés (bonus parents)", default=0
    )
    bonus_parents_project = models.TextField(
        "projet d'accompagnement des parents sur l'année", blank=True
    )
    bonus_parents_speakers_cost = models.DecimalField(
        "surcoût intervenants extérieurs (parents)",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    bonus_parents_specific_actions = models.TextField(
        "actions spécifiques (accès aux droits, orientation, outils numériques, AEF…)", blank=True
    )
    # Granted by the advisor (issue "Review"): the funding engine reads these.
    bonus_children_granted = models.BooleanField("bonus enfants accordé", default=False)
    bonus_parents_granted = models.BooleanField("bonus parents accordé", default=False)
    convention_years = models.PositiveSmallIntegerField("durée de la convention (ans)", default=1)
    # The multi-year request (issue 15): its justification, the CTG exception, and the forecast
    # budget of each following year ([[account, financer, "amount"], …] per year).
    convention_reason = models.TextField("justification de la durée demandée", blank=True)
    # The Caf's attestations as ticked at deposit (texts kept as they were then), and who did.
    engagements = models.JSONField("engagements attestés au dépôt", default=list, blank=True)
    engaged_as = models.CharField("attestés au nom de", max_length=150, blank=True)
    engaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="attestés par",
    )
    engaged_at = models.DateTimeField("attestés le", null=True, blank=True)
    ctg_aligned = models.BooleanField(
        "durée alignée sur la convention territoriale globale (CTG)", default=False
    )
    following_budgets = models.JSONField(
        "budgets prévisionnels des années suivantes", default=list, blank=True
    )
    # A continuing year of a running convention (situation 2): no review, no committee.
    convention = models.ForeignKey(
        "projects.Convention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="convention",
    )
    # The advisor's proposal to the committee (issue "Review and committee").
    proposal = models.CharField(
        "proposition",
        max_length=10,
        choices=[("approval", "Avis favorable"), ("refusal", "Avis défavorable")],
        blank=True,
    )
    proposed_collectives = models.PositiveSmallIntegerField(
        "collectifs proposés", null=True, blank=True
    )
    proposal_reason = models.TextField("motif de la proposition", blank=True)
    findings = models.JSONField("constats au dépôt", default=list, blank=True)
    has_findings = models.BooleanField("constats à examiner", default=False)
    reopened_sections = models.JSONField("sections rouvertes au porteur", default=list, blank=True)
    changes_to_validate = models.JSONField(
        "changements à valider par la Caf", default=list, blank=True
    )
    receipt = models.FileField("récépissé de dépôt", upload_to="receipts/%Y/", blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "projet Clas"
        verbose_name_plural = "projets Clas"
        ordering = ["-campaign__year", "carrier__legal_name", "title"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["carrier", "campaign"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    @property
    def territory(self):
        return self.carrier.commune.territory

    @cached_property
    def convention_line(self):
        """Its year of a multi-year convention, with the convention; None if it has none. Read
        once per instance (the project page and its documents both ask)."""
        lines = apps.get_model("projects", "ConventionYear").objects.filter(project=self)
        return lines.select_related("convention").order_by("pk").first()
