"""Carriers, their members, campaigns, projects and collectives."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clasportal.models import STAFF_ROLES, Caf, Commune, Role

from .validators import validate_siret


class CarrierKind(models.TextChoices):
    # Codes are those of the funding contract (shared/funding/CONTRACT.md).
    ASSOCIATION = "association", "Association"
    MUTUELLE = "mutuelle", "Mutuelle"
    COLLECTIVITE = "collectivite", "Collectivité territoriale"
    ETABLISSEMENT_PUBLIC = "etablissement_public", "Établissement public"
    ETABLISSEMENT_PRIVE_SOCIAL = "etablissement_prive_social", "Établissement privé à but social"
    ENTREPRISE = "entreprise", "Entreprise (gestion désintéressée)"


class CarrierQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = user.role
        if role == Role.CARRIER:
            return self.filter(memberships__user=user)
        if role in STAFF_ROLES:
            return self.filter(caf_id=user.staff_profile.caf_id)
        return self.none()


class Carrier(models.Model):
    legal_name = models.CharField("raison sociale", max_length=200)
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    kind = models.CharField("statut juridique", max_length=32, choices=CarrierKind.choices)
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="carriers", verbose_name="commune"
    )
    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="carriers")
    legal_representative = models.CharField("représentant légal", max_length=150, blank=True)
    email = models.EmailField("e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = CarrierQuerySet.as_manager()

    class Meta:
        verbose_name = "porteur de projet"
        verbose_name_plural = "porteurs de projet"
        ordering = ["legal_name"]
        indexes = [models.Index(fields=["caf", "legal_name"])]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("projects:carrier_detail", args=[self.pk])


class CarrierMembership(models.Model):
    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carrier_memberships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "membre d'un porteur"
        constraints = [
            models.UniqueConstraint(fields=["carrier", "user"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.carrier}"


class Campaign(models.Model):
    """A Caf's yearly call for projects for school year N/N+1 (convention 1 Sept N – 31 Aug N+1)."""

    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="campaigns")
    year = models.PositiveSmallIntegerField("année scolaire (N)")
    opens_on = models.DateField("ouverture du dépôt")
    closes_on = models.DateField("clôture du dépôt")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "campagne"
        ordering = ["caf", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "year"], name="campaign_unique_year_per_caf"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="campaign_window_ordered",
            ),
        ]

    def __str__(self):
        return f"Campagne {self.school_year}"

    @property
    def school_year(self):
        return f"{self.year}/{self.year + 1}"

    def is_open_on(self, day):
        return self.opens_on <= day <= self.closes_on


class Situation(models.IntegerChoices):
    RENEWAL = 1, "Renouvellement (convention qui s'achève)"
    CONTINUING = 2, "Convention pluriannuelle en cours"
    NEW_CARRIER = 3, "Nouveau porteur"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    UNDER_REVIEW = "under_review", "En instruction"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    PROPOSED = "proposed", "Proposé au comité"
    APPROVED = "approved", "Agréé"
    REFUSED = "refused", "Refusé"
    ADJOURNED = "adjourned", "Ajourné"


# Statuses that ask something of the Caf (dashboards' "needs attention").
AWAITING_REVIEW = (ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW)


class SchoolLevel(models.TextChoices):
    ELEMENTAIRE = "elementaire", "Élémentaire"
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    HORS_FILIERE = "hors_filiere", "Hors filière générale"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = user.role
        if role == Role.CARRIER:
            return self.filter(carrier__memberships__user=user)
        if role in STAFF_ROLES:
            return self.filter(campaign__caf_id=user.staff_profile.caf_id)
        return self.none()

    def for_list(self):
        return self.select_related("carrier", "campaign", "carrier__commune__territory").annotate(
            collectives_count=models.Count("collectives", distinct=True),
            children_planned=models.Sum("collectives__planned_children"),
        )

    def territories_first(self, user):
        """Advisors see their own territories' projects first (SPEC §1)."""
        profile = user.staff_profile_or_none
        if profile is None:
            return self
        mine = profile.territories.through.objects.filter(
            staffprofile_id=profile.pk, territory_id=OuterRef("carrier__commune__territory_id")
        )
        return self.annotate(in_my_territory=Exists(mine)).order_by(
            "-in_my_territory", *self.query.order_by or self.model._meta.ordering
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
    history = HistoricalRecords()

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


class Collective(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="collectives")
    name = models.CharField("nom", max_length=120)
    school_level = models.CharField("niveau", max_length=20, choices=SchoolLevel.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    is_rural = models.BooleanField("milieu rural", default=False)
    planned_children = models.PositiveSmallIntegerField("enfants prévus")
    planned_weeks = models.PositiveSmallIntegerField("semaines prévues")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "collectif"
        ordering = ["project", "name"]

    def __str__(self):
        return self.name
