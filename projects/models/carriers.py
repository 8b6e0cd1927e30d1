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
