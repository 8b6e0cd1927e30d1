"""Conventions d'objectifs et de financement (COF): one per carrier and Caf, covering all its
projects, one to five school years (1 September of the first year to 31 August after the last),
its years with their agreed figures, and its amendments (avenants). The Caf's rules for them live
in `ConventionPolicy`."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from clasportal.models import Caf
from clasportal.rules import Scope
from clasportal.scoping import scoped

from .campaigns import Campaign
from .carriers import Carrier

YEARS = [MinValueValidator(1), MaxValueValidator(5)]

DEFAULT_TEMPLATE = """<h2>Article 1 – Objet de la convention</h2>
<p>La présente convention d'objectifs et de financement (COF) fixe les engagements de la Caf
{{ caf }} et de {{ carrier }} pour la mise en œuvre du Contrat local d'accompagnement à la
scolarité (Clas), et les modalités de versement de la prestation de service Clas et de ses bonus.</p>
<h2>Article 2 – Durée</h2>
<p>La convention prend effet le {{ start }} et se termine le {{ end }}, soit {{ years }} année(s)
scolaire(s). {% if years > 1 %}Chaque année suivant la première, le porteur déclare ses données
prévisionnelles ; toute modification (date de démarrage, nombre de collectifs, enfants inscrits,
nombre de semaines) est soumise à la validation de la Caf.{% endif %}</p>
<h2>Article 3 – Financement</h2>
<p>La prestation de service Clas est calculée chaque année avec le barème national de l'année
(PS = 32,5 % du prix de revient dans la limite d'un plafond par collectif), pour le nombre de
collectifs agréé. Deux acomptes, ensemble au plus 70 % du droit prévisionnel, sont versés après
la déclaration prévisionnelle ; le solde est versé après la déclaration des données réelles et
leur contrôle.</p>
<h2>Article 4 – Obligations du porteur</h2>
<p>Le porteur transmet chaque année le bilan de l'action et ses données réelles, mentionne le
soutien de la Caf dans sa communication, et accepte tout contrôle sur pièces et sur place des
données déclarées. Il informe la Caf sans délai de tout changement.</p>
<h2>Article 5 – Modification et résiliation</h2>
<p>Toute modification fait l'objet d'un avenant daté et motivé. La convention peut prendre fin
avant son terme lorsque le porteur cesse l'action.</p>
"""


class ConventionPolicy(models.Model):
    """A Caf's rules for conventions (Loire guide, Landes and Vosges notes); national defaults
    (unsaved) until the Caf sets its own."""

    caf = models.OneToOneField(Caf, on_delete=models.CASCADE, related_name="convention_policy")
    max_years_cof = models.PositiveSmallIntegerField(
        "durée maximale d'une COF pluriannuelle (ans)", default=4, validators=YEARS
    )
    max_years_social_centre = models.PositiveSmallIntegerField(
        "durée maximale pour un centre social (ans)",
        default=5,
        validators=YEARS,
        help_text="Alignée sur la fin de son agrément.",
    )
    min_prior_years = models.PositiveSmallIntegerField(
        "années de financement Caf avant une COF pluriannuelle",
        default=2,
        validators=[MaxValueValidator(10)],
    )
    allow_ctg_alignment = models.BooleanField(
        "alignement sur la CTG autorisé (jusqu'à 5 ans, motivé)", default=True
    )
    mandatory_for_continuing = models.BooleanField(
        "convention pluriannuelle obligatoire pour les porteurs déjà financés", default=False
    )
    template = models.TextField(
        "texte de la convention",
        default=DEFAULT_TEMPLATE,
        help_text="Articles de la convention. Variables : {{ caf }}, {{ carrier }}, {{ start }}, "
        "{{ end }}, {{ years }}, {{ number }}.",
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "règles des conventions de la Caf"
        verbose_name_plural = "règles des conventions des Caf"

    def __str__(self):
        return f"Règles des conventions de {self.caf}"

    @classmethod
    def of(cls, caf):
        try:
            return caf.convention_policy
        except cls.DoesNotExist:
            return cls(caf=caf)


class Convention(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "En cours"
        AMENDED = "amended", "En cours, modifiée par avenant"
        ENDED = "ended", "Terminée"

    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="conventions")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="conventions")
    number = models.CharField("numéro", max_length=40)
    start_year = models.PositiveSmallIntegerField("première année scolaire (N)")
    years = models.PositiveSmallIntegerField("durée (années scolaires)", validators=YEARS)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    ended_on = models.DateField("fin anticipée le", null=True, blank=True)
    ctg_aligned = models.BooleanField("alignée sur la CTG", default=False)
    reason = models.TextField("justification de la durée", blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True)
    signed_copy = models.FileField("exemplaire signé", upload_to="conventions/%Y/", blank=True)
    created_from = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décision d'origine",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf", carrier="carrier")).as_manager()

    class Meta:
        verbose_name = "convention"
        ordering = ["-start_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "number"], name="convention_number_per_caf"),
            models.CheckConstraint(
                condition=models.Q(years__gte=1, years__lte=5), name="convention_one_to_five"
            ),
        ]

    def __str__(self):
        return f"Convention {self.number}"

    def get_absolute_url(self):
        return reverse("projects:convention_detail", args=[self.pk])

    @property
    def end_year(self):
        """School year N of the last year (the convention ends on 31 August N+1)."""
        return self.start_year + self.years - 1

    @property
    def start(self):
        return datetime.date(self.start_year, 9, 1)

    @property
    def end(self):
        return self.ended_on or datetime.date(self.end_year + 1, 8, 31)

    @property
    def is_multi_year(self):
        return self.years > 1

    @property
    def is_running(self):
        return self.status != self.Status.ENDED

    def index_of(self, year):
        """1 for the first school year, … ; None outside the convention."""
        index = year - self.start_year + 1
        return index if 1 <= index <= self.years else None

    def label_for(self, year):
        index = self.index_of(year)
        if not self.is_multi_year:
            return "annuelle"
        return f"pluriannuelle (année {index}/{self.years})" if index else "pluriannuelle"


class ConventionYear(models.Model):
    """One project line of a convention for one school year: what was agreed for it, the
    project that carries it that year, and the amount decided."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="lines")
    origin = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="convention_lines",
        verbose_name="projet agréé par le comité",
    )
    index = models.PositiveSmallIntegerField("année", validators=YEARS)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="convention_year",
        verbose_name="projet de l'année",
    )
    agreed_collectives = models.PositiveSmallIntegerField("collectifs agréés")
    agreed_children = models.PositiveSmallIntegerField("enfants prévus", default=0)
    agreed_weeks = models.PositiveSmallIntegerField("semaines prévues", default=0)
    agreed_start = models.DateField("date de démarrage prévue", null=True, blank=True)
    forecast_budget = models.JSONField(
        "budget prévisionnel de l'année", default=list, blank=True
    )  # [[account, financer, "amount"], …]
    decided_amount = models.DecimalField(
        "montant décidé (PS et bonus)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    computation = models.ForeignKey(
        "funding.FundingComputation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = scoped(Scope(caf="convention__caf", carrier="convention__carrier")).as_manager()

    class Meta:
        verbose_name = "année de convention"
        verbose_name_plural = "années de convention"
        ordering = ["convention", "origin", "index"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "index"], name="convention_year_unique")
        ]

    def __str__(self):
        return f"{self.convention} — année {self.index}/{self.convention.years}"

    @property
    def school_year(self):
        year = self.convention.start_year + self.index - 1
        return f"{year}/{year + 1}"

    @property
    def year(self):
        return self.convention.start_year + self.index - 1


class Amendment(models.Model):
    """An avenant: dated, reasoned, with its changes (field → [before, after]) and its PDF."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField("numéro")
    date = models.DateField("date d'effet")
    reason = models.TextField("motif")
    changes = models.JSONField("modifications", default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField("avenant (PDF)", upload_to="conventions/avenants/%Y/", blank=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="convention__caf", carrier="convention__carrier")).as_manager()

    class Meta:
        verbose_name = "avenant"
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="amendment_number")
        ]

    def __str__(self):
        return f"Avenant n° {self.number} à la {self.convention}"
