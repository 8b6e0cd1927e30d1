"""Carriers (porteurs de projet) and their members."""

from django.conf import settings
from django.db import models
from django.urls import reverse
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

    objects = scoped(Scope(caf="carrier__caf", carrier="carrier")).as_manager()

    class Meta:
        verbose_name = "membre d'un porteur"
        constraints = [
            models.UniqueConstraint(fields=["carrier", "user"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.carrier}"
