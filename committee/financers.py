"""Co-financers at the table (issue 18): each partner organisation's financing schemes per
campaign with their rule, what a carrier's request asks of them, the envelopes each financer
(and the Caf) sets per campaign, and each financer's own decision per agenda item.

Models only; the rules live in `committee.cofinancing`."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped

POSITIVE = [MinValueValidator(Decimal("0"))]


def money(label, **kwargs):
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=POSITIVE, **kwargs
    )


class FinancingScheme(models.Model):
    """A partner's offer for one campaign (« Grandir en milieu rural », « bonus parents TNE »),
    with the rule its amounts follow and the conditions a project must meet."""

    class Rule(models.TextChoices):
        PER_CARRIER = "per_carrier", "Forfait par porteur et par campagne"
        PER_COLLECTIVE = "per_collective", "Montant par collectif, entre deux bornes"
        FREE_MINIMUM = "free_minimum", "Montant libre avec un minimum"
        FREE = "free", "Montant libre"

    partner = models.ForeignKey(
        "committee.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="schemes",
        verbose_name="partenaire",
    )
    campaign = models.ForeignKey(
        "projects.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name="campagne"
    )
    name = models.CharField("nom du dispositif", max_length=160)
    rule = models.CharField("règle", max_length=20, choices=Rule.choices)
    # The flat amount (per carrier); the bounds per collective; the minimum of a free amount.
    amount = money("forfait (€)", null=True, blank=True)
    minimum = money("minimum (€)", null=True, blank=True)
    maximum = money("maximum (€)", null=True, blank=True)
    conditions = models.TextField("conditions d'éligibilité", blank=True)
    requires_rural_or_fragile = models.BooleanField(
        "exige un collectif en commune rurale ou fragile (rural, ZRR, QPV)", default=False
    )
    requires_parents_digital = models.BooleanField(
        "exige une action parents sur la scolarité numérique", default=False
    )
    required_document = models.ForeignKey(
        "projects.DocumentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pièce demandée",
    )
    is_active = models.BooleanField("ouvert aux demandes", default=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="partner__caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "dispositif de cofinancement"
        verbose_name_plural = "dispositifs de cofinancement"
        ordering = ["partner__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "campaign", "name"], name="scheme_name_once_per_campaign"
            ),
            models.CheckConstraint(
                condition=~models.Q(rule="per_carrier") | models.Q(amount__isnull=False),
                name="scheme_flat_has_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(rule="per_collective")
                | models.Q(
                    minimum__isnull=False,
                    maximum__isnull=False,
                    maximum__gte=models.F("minimum"),
                ),
                name="scheme_bounds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.partner.name} — {self.name}"

    @property
    def rule_text(self):
        from clasportal.formatting import format_euros

        if self.rule == self.Rule.PER_CARRIER:
            return f"{format_euros(self.amount)} par porteur et par campagne"
        if self.rule == self.Rule.PER_COLLECTIVE:
            return f"de {format_euros(self.minimum)} à {format_euros(self.maximum)} par collectif"
        if self.rule == self.Rule.FREE_MINIMUM:
            return f"montant libre, au moins {format_euros(self.minimum)}"
        return "montant libre"


class Envelope(models.Model):
    """What a financer (a partner, or the Caf itself when `partner` is empty) may commit over a
    campaign: decisions are taken « dans la limite de l'enveloppe budgétaire disponible »."""

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "projects.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name="campagne"
    )
    partner = models.ForeignKey(
        "committee.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="envelopes",
        verbose_name="financeur",
    )
    amount = money("enveloppe (€)")
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "enveloppe"
        ordering = ["campaign", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "partner"], name="envelope_once_per_partner"
            ),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=models.Q(partner__isnull=True),
                name="envelope_once_for_the_caf",
            ),
        ]

    def __str__(self):
        return f"Enveloppe {self.partner or 'Caf'} {self.campaign}"


class SchemeRequest(models.Model):
    """What a carrier's request asks of one scheme: the collectives concerned and the amount.
    The budget's co-financer line of the partner is the sum of its requests."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="scheme_requests"
    )
    scheme = models.ForeignKey(FinancingScheme, on_delete=models.PROTECT, related_name="requests")
    collectives = models.PositiveSmallIntegerField("collectifs concernés", default=0)
    amount = money("montant demandé (€)")
    parents_digital_action = models.TextField(
        "action parents sur la scolarité numérique", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="project__campaign__caf", carrier="project__carrier")).as_manager()

    class Meta:
        verbose_name = "demande à un dispositif"
        ordering = ["project", "scheme__partner__name", "scheme__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "scheme"], name="scheme_asked_once")
        ]

    def __str__(self):
        return f"{self.scheme} : {self.amount}"


class FinancerDecision(models.Model):
    """One financer's own decision on a project: granted or refused, and its amount, per scheme
    (or outside any scheme), taken at an agenda item of the committee."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Accordé"
        REFUSED = "refused", "Refusé"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="financer_decisions"
    )
    item = models.ForeignKey(
        "committee.AgendaItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="financer_decisions",
    )
    partner = models.ForeignKey(
        "committee.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name="financeur",
    )
    scheme = models.ForeignKey(
        FinancingScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="dispositif",
    )
    outcome = models.CharField("décision", max_length=10, choices=Outcome.choices)
    amount = money("montant accordé (€)", default=Decimal("0"))
    note = models.CharField("précision", max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="project__campaign__caf")).as_manager()

    class Meta:
        verbose_name = "décision d'un financeur"
        verbose_name_plural = "décisions des financeurs"
        ordering = ["partner__name", "scheme__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "partner", "scheme"],
                name="financer_decides_once_per_item_scheme",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="granted") | models.Q(amount=0),
                name="financer_refusal_has_no_amount",
            ),
        ]

    def __str__(self):
        return f"{self.partner.name} : {self.get_outcome_display()} {self.amount}"

    @property
    def label(self):
        return self.scheme.name if self.scheme_id else self.partner.name
