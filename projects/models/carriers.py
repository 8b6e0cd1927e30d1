"""Carriers (porteurs de projet) and their members."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clasportal.models import Caf, Commune
from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet, scoped
from funding.kinds import CarrierKind

from ..validators import validate_siret


class CarrierQuerySet(ScopedQuerySet):
    scope = Scope(caf="caf", carrier="pk")


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
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    email = models.EmailField("e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A centre social's agrément (AVS): its convention may run up to the agrément's end.
    social_centre_until = models.DateField("centre social agréé jusqu'au", null=True, blank=True)
    # A deactivated carrier keeps its history but files nothing new; a merged duplicate points
    # to the carrier that took over its projects and members.
    is_active = models.BooleanField("actif", default=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name="fusionné dans",
    )
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

    @property
    def identity_is_locked(self):
        """Once a request is deposited, the Caf validates any change of identity."""
        return self.projects.exclude(status="draft").exists()


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
    # An invitation of an existing account is a proposal until its owner accepts it: before
    # that the membership gives nothing (no role, no project, no carrier page).
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True, default=timezone.now)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="carrier__caf", carrier="carrier")).as_manager()

    class Meta:
        verbose_name = "membre d'un porteur"
        constraints = [
            models.UniqueConstraint(fields=["carrier", "user"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.carrier}"


# What identifies a carrier to the Caf and to the accounting: once a request is deposited, these
# change only through a request the Caf validates (money already decided keeps its own copy).
IDENTITY_FIELDS = ("legal_name", "siret", "kind", "legal_representative")


class CarrierIdentityChange(models.Model):
    """A carrier asks to change its identity (name, SIRET, legal status, representative); the
    Caf accepts or refuses it. Before and after are kept field by field."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente de la Caf"
        APPROVED = "approved", "Acceptée"
        REFUSED = "refused", "Refusée"

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="identity_changes")
    changes = models.JSONField("modifications", default=dict)  # {field: [before, after]}
    reason = models.TextField("motif du porteur", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("motif de la Caf", blank=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="carrier__caf", carrier="carrier")).as_manager()

    class Meta:
        verbose_name = "modification d'identité d'un porteur"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier"],
                condition=models.Q(status="pending"),
                name="one_pending_identity_change_per_carrier",
            )
        ]

    def __str__(self):
        return f"{self.carrier} : {', '.join(self.changes)}"

    def rows(self):
        """(label, before, after) for each field, in French."""
        labels = {f: Carrier._meta.get_field(f).verbose_name for f in IDENTITY_FIELDS}
        kinds = dict(CarrierKind.choices)
        for field, (before, after) in self.changes.items():
            if field == "kind":
                before, after = kinds.get(before, before), kinds.get(after, after)
            yield labels.get(field, field), before, after


class CarrierSignup(models.Model):
    """A structure the Caf does not know yet asks for an account (situation 3: new carrier).

    The Caf chosen by the department validates it (the carrier and its first member are created)
    or refuses it with a reason; both are traced."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        REFUSED = "refused", "Refusée"

    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="carrier_signups")
    legal_name = models.CharField("raison sociale", max_length=200)
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    kind = models.CharField("statut juridique", max_length=32, choices=CarrierKind.choices)
    address = models.CharField("adresse", max_length=255, blank=True)
    commune_name = models.CharField("commune", max_length=120)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("e-mail")
    phone = models.CharField("téléphone", max_length=20, blank=True)
    message = models.TextField("votre projet en quelques mots", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("motif de la Caf", blank=True)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.SET_NULL, null=True, blank=True, related_name="signups"
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier=None)).as_manager()

    class Meta:
        verbose_name = "demande de compte porteur"
        verbose_name_plural = "demandes de compte porteur"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.legal_name} ({self.siret})"
