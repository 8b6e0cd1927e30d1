"""The national barème, each Caf's local policy, and stored funding computations."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped

from . import engine

MONEY = {"max_digits": 12, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 4}


class BaremeQuerySet(models.QuerySet):
    def engine_for_year(self, year):
        row = self.filter(year=year).first()
        return row.to_engine() if row else None


class Bareme(models.Model):
    """One national row per year N; school year N/N+1 uses the barème of year N (SPEC §4.1)."""

    year = models.PositiveSmallIntegerField(
        "année", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rate = models.DecimalField(
        "taux de la PS",
        **RATE,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1"))],
    )
    ceiling = models.DecimalField(
        "prix plafond par collectif", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    bonus_children = models.DecimalField(
        "bonus enfants par collectif", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    bonus_parents = models.DecimalField(
        "bonus parents par collectif", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    advances_cap = models.DecimalField(
        "plafond des acomptes (part du droit prévisionnel)",
        **RATE,
        default=Decimal("0.70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    source = models.CharField("source", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = BaremeQuerySet.as_manager()

    class Meta:
        verbose_name = "barème national"
        verbose_name_plural = "barèmes nationaux"
        ordering = ["-year"]

    def __str__(self):
        return f"Barème {self.year}"

    @property
    def max_ps_per_collective(self):
        return engine.to_cent(self.rate * self.ceiling)

    def to_engine(self) -> engine.Bareme:
        return engine.Bareme(
            year=self.year,
            rate=self.rate.normalize(),
            ceiling=self.ceiling,
            bonus_children=self.bonus_children,
            bonus_parents=self.bonus_parents,
            advances_cap=self.advances_cap,
        )


# The attestations the seeds ask of every carrier at deposit (laïcité, contrat d'engagement
# républicain, no excluded actions, intervenants' criminal records, insurance).
DEFAULT_ENGAGEMENTS = "\n".join(
    (
        "Je m'engage à respecter la charte de la laïcité de la branche Famille.",
        "La structure a souscrit le contrat d'engagement républicain (associations).",
        "L'action ne comprend aucune des actions exclues du Clas (aide aux devoirs seule, "
        "soutien scolaire payant, activités de loisirs sans lien avec la scolarité).",
        "Le bulletin n° 3 du casier judiciaire et le FIJAIS ont été vérifiés pour chaque "
        "intervenant au contact des enfants.",
        "La structure est assurée pour les activités et les locaux de l'action.",
    )
)


class CafPolicy(models.Model):
    """A Caf's local settings where the documents leave a choice (SPEC: *portal policy*)."""

    caf = models.OneToOneField("clasportal.Caf", on_delete=models.CASCADE, related_name="policy")
    min_weeks = models.PositiveSmallIntegerField(
        "minimum de semaines d'activité",
        default=27,
        validators=[MinValueValidator(1), MaxValueValidator(53)],
        help_text="Fixé par la note de cadrage de la Caf. En dessous, la PS est réduite au prorata.",
    )
    min_children = models.PositiveSmallIntegerField(
        "enfants par collectif : minimum",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="En dessous, l'effectif est à justifier (référentiel national : 8).",
    )
    min_children_rural = models.PositiveSmallIntegerField(
        "enfants par collectif en milieu rural : minimum",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Référentiel national : 5.",
    )
    max_children = models.PositiveSmallIntegerField(
        "enfants par collectif : maximum",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Au-dessus, l'effectif est à justifier (référentiel national : 12).",
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        "séances par semaine et par collectif : minimum",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Référentiel national : deux séances par semaine.",
    )
    session_minutes = models.PositiveSmallIntegerField(
        "durée d'une séance (minutes) : minimum",
        default=90,
        validators=[MinValueValidator(30), MaxValueValidator(300)],
        help_text="Référentiel national : 90 minutes (1 h 30).",
    )
    sessions_per_week_rural = models.PositiveSmallIntegerField(
        "séances par semaine en milieu rural : minimum",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Pour un collectif qui se tient dans une commune rurale. "
        "Référentiel national : une séance.",
    )
    session_minutes_rural = models.PositiveSmallIntegerField(
        "durée d'une séance en milieu rural (minutes) : minimum",
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(300)],
        help_text="Référentiel national : 120 minutes (2 h).",
    )
    staff_ratio_blocking = models.BooleanField(
        "taux d'encadrement bloquant",
        default=True,
        help_text="Coché : un collectif sans ses deux intervenants (un seul en milieu rural sous "
        "le minimum d'enfants) empêche le dépôt. Décoché : le taux est indicatif, un simple "
        "avertissement à l'instruction.",
    )
    min_cofinancing_share = models.DecimalField(
        "part minimale de cofinancements hors Caf",
        **RATE,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Part des charges couverte par des produits autres que la PS de la Caf : "
        "0,20 pour 20 %. 0 : pas de règle.",
    )
    one_level_per_request = models.BooleanField(
        "une demande par niveau scolaire",
        default=False,
        help_text="Coché : tous les collectifs d'une demande accueillent le même niveau "
        "(élémentaire, collège…) ; un porteur dépose une demande par niveau.",
    )
    deposit_engagements = models.TextField(
        "engagements attestés au dépôt (un par ligne)",
        blank=True,
        default=DEFAULT_ENGAGEMENTS,
        help_text="Le représentant légal du porteur (ou la personne qui dépose en son nom) "
        "coche chacun d'eux pour déposer ; ils sont imprimés sur le récépissé.",
    )
    first_advance_rate = models.DecimalField(
        "premier acompte (part du droit prévisionnel)",
        **RATE,
        default=Decimal("0.35"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.70"))],
    )
    second_advance_rate = models.DecimalField(
        "second acompte (part du droit prévisionnel)",
        **RATE,
        default=Decimal("0.35"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.70"))],
    )
    charges_variation_threshold = models.DecimalField(
        "écart de charges à justifier (prévisionnel / réel)",
        **RATE,
        default=Decimal("0.15"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    budget_imbalance_threshold = models.DecimalField(
        "déséquilibre charges / produits à justifier",
        **RATE,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    actual_excess_tolerance = models.DecimalField(
        "tolérance du droit réel au-dessus du prévisionnel",
        **RATE,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Au-delà de cette part du droit prévisionnel validé, le gestionnaire confirme "
        "expressément le droit réel : 0,05 pour 5 %. 0 : tout dépassement est à confirmer.",
    )
    # Loire guide: "avant de faire votre déclaration réelle, vous devez transmettre les factures
    # correspondant aux dépenses" of the bonus projects.
    bonus_invoices_required = models.BooleanField(
        "factures des surcoûts des bonus exigées avec la déclaration réelle",
        default=False,
        help_text="Coché : une déclaration réelle qui déclare un surcoût de bonus ne se transmet "
        "qu'avec au moins une facture jointe.",
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "paramètres locaux de la Caf"
        verbose_name_plural = "paramètres locaux des Caf"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    first_advance_rate__lte=Decimal("0.70") - models.F("second_advance_rate")
                ),
                name="policy_advances_at_most_70_percent",
            )
        ]

    def __str__(self):
        return f"Paramètres de {self.caf}"

    @classmethod
    def of(cls, caf):
        """The Caf's policy; the national defaults (unsaved) until the Caf sets its own, so that
        reading a policy never writes one."""
        try:
            return caf.policy
        except cls.DoesNotExist:
            return cls(caf=caf)

    @property
    def engagement_list(self):
        return [line.strip() for line in self.deposit_engagements.splitlines() if line.strip()]

    @property
    def advances_total_rate(self):
        return self.first_advance_rate + self.second_advance_rate


class FundingComputation(models.Model):
    """A computation stored with the barème and policy it used, and the inputs' fingerprint."""

    class Kind(models.TextChoices):
        SIMULATION = "simulation", "Simulation"
        FORECAST = "forecast", "Droit prévisionnel"
        ACTUAL = "actual", "Droit réel"

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="funding_computations",
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    bareme = models.ForeignKey(Bareme, on_delete=models.PROTECT, related_name="computations")
    min_weeks = models.PositiveSmallIntegerField("minimum de semaines appliqué")
    inputs = models.JSONField("données d'entrée")
    fingerprint = models.CharField("empreinte des données", max_length=64, db_index=True)
    result = models.JSONField("résultat")
    right = models.DecimalField("droit", **MONEY)
    is_decision = models.BooleanField(
        "retenu pour une décision",
        default=False,
        help_text="Un calcul retenu par une décision fige le barème qu'il a utilisé.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "calcul de financement"
        verbose_name_plural = "calculs de financement"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bareme", "is_decision"])]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.created_at:%d/%m/%Y}"
