"""The Caf's resource library: documents offered to its carriers."""

from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped


class Resource(models.Model):
    """A document the Caf offers its carriers (référentiel, chartes, bonus form, partner sheets,
    guides, FAQ), for every campaign or one, shown where the carrier needs it."""

    class Category(models.TextChoices):
        REFERENTIAL = "referential", "Référentiel et note de cadrage"
        CHARTER = "charter", "Chartes et engagements"
        FORM = "form", "Formulaires"
        PARTNER = "partner", "Fiches des partenaires"
        GUIDE = "guide", "Guides"
        FAQ = "faq", "Questions fréquentes"
        OTHER = "other", "Autres documents"

    class Place(models.TextChoices):
        EVERYWHERE = "everywhere", "Partout"
        REQUEST = "request", "Pendant la demande"
        DECLARATIONS = "declarations", "Avec les déclarations"
        BILAN = "bilan", "Avec le bilan"

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "projects.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="campagne",
        help_text="Vide : proposé pour toutes les campagnes.",
    )
    title = models.CharField("titre", max_length=200)
    description = models.CharField("en une phrase", max_length=300, blank=True)
    category = models.CharField("rubrique", max_length=20, choices=Category.choices)
    place = models.CharField(
        "montré", max_length=20, choices=Place.choices, default=Place.EVERYWHERE
    )
    file = models.FileField("fichier", upload_to="resources/%Y/")
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "document de la bibliothèque"
        verbose_name_plural = "bibliothèque de documents"
        ordering = ["category", "position", "title"]

    def __str__(self):
        return self.title
