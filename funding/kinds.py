"""Carrier kinds: the codes are the funding contract's (`engine.CARRIER_KINDS`), defined there
once; the labels are the ones carriers read."""

from django.db import models

from .engine import CARRIER_KINDS

LABELS = {
    "association": "Association",
    "mutuelle": "Mutuelle",
    "collectivite": "Collectivité territoriale",
    "etablissement_public": "Établissement public",
    "etablissement_prive_social": "Établissement privé à but social",
    "entreprise": "Entreprise (gestion désintéressée)",
}

CarrierKind = models.TextChoices(
    "CarrierKind", [(code.upper(), (code, LABELS[code])) for code in CARRIER_KINDS]
)
