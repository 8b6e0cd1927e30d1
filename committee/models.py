"""Review notes, committee sessions and their decisions, other financers, and export jobs."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import ScopedQuerySet, scoped


class ReviewNote(models.Model):
    """A private note on a project: Caf staff only, never shown to the carrier."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="review_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField("note interne")
    # Shown to the partners sitting on a session the project is on (issue 18); never to the carrier.
    shared_with_partners = models.BooleanField(
        "partagée avec les partenaires du comité", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped(
        Scope(
            caf="project__campaign__caf",
            session="project__agenda_items__session",
            deposited="project__status",
            shared="shared_with_partners",
        )
    ).as_manager()

    class Meta:
        verbose_name = "note interne"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note du {self.created_at:%d/%m/%Y}"


class PartnerOrganisation(models.Model):
    """A co-financer or institution sitting on a Caf's Clas committee (Conseil départemental, MSA,
    DDETS, Éducation nationale, a commune or EPCI, politique de la ville…). Each Caf keeps its own
    list; its people hold partner accounts (issue 18)."""

    class Kind(models.TextChoices):
        DEPARTEMENT = "departement", "Conseil départemental"
        MSA = "msa", "MSA"
        DDETS = "ddets", "DDETS / DDETSPP"
        EDUCATION = "education", "Éducation nationale"
        COMMUNE = "commune", "Commune ou EPCI"
        POLITIQUE_VILLE = "politique_ville", "Politique de la ville"
        OTHER = "other", "Autre partenaire"

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.PROTECT, related_name="partners")
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    name = models.CharField("nom", max_length=160)
    # The exact label of the partner's line in a request's budget (Puy-de-Dôme: "MSA-63-PUY DE DOME").
    budget_label = models.CharField("libellé sur le budget", max_length=60, blank=True)
    is_active = models.BooleanField("actif", default=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "partenaire"
        ordering = ["caf", "name"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "name"], name="partner_name_once_per_caf")
        ]

    def __str__(self):
        return self.name


class CommitteeSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Ouverte"
        CLOSED = "closed", "Close"

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.PROTECT, related_name="sessions")
    campaign = models.ForeignKey(
        "projects.Campaign", on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField("date du comité")
    place = models.CharField("lieu", max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="membres"
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[members])

    objects = scoped(Scope(caf="caf", session="pk")).as_manager()

    class Meta:
        verbose_name = "comité départemental"
        verbose_name_plural = "comités départementaux"
        ordering = ["-date"]

    def __str__(self):
        return f"Comité du {self.date:%d/%m/%Y}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def attendance_groups(self):
        """The attendance sheet by status (present, excused, absent), for pages and the list."""
        from .people import attendance_by_status

        return attendance_by_status(self)


class AgendaItemQuerySet(ScopedQuerySet):
    scope = Scope(caf="session__caf", session="session")

    def with_collective_figures(self, children=True):
        """collectives_count (and children) of each item's project, as correlated subqueries:
        a COUNT over a join grouped every column of the item, its project, carrier and
        commune — 9 ms of PostgreSQL per agenda page of a large Caf (issue 21)."""
        collectives = (
            apps.get_model("projects", "Collective")
            .objects.filter(project=models.OuterRef("project_id"))
            .order_by()
            .values("project")
        )
        counts = {
            "collectives_count": Coalesce(
                models.Subquery(collectives.annotate(n=models.Count("pk")).values("n")), 0
            )
        }
        if children:
            counts["children"] = models.Subquery(
                collectives.annotate(n=models.Sum("planned_children")).values("n")
            )
        return self.annotate(**counts)


class AgendaItem(models.Model):
    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField(default=0)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "project"], name="agenda_project_once")
        ]
        # A page of the agenda walks this index in order and joins its 25 rows only; without
        # it PostgreSQL joined the 300 items with every project before sorting (issue 21).
        indexes = [models.Index(fields=["session", "position", "id"], name="agenda_in_order")]

    def __str__(self):
        return f"{self.session} — {self.project}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", "Agréé"
        REFUSED = "refused", "Refusé"
        ADJOURNED = "adjourned", "Ajourné"

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField("décision", max_length=10, choices=Outcome.choices)
    collectives_retained = models.PositiveSmallIntegerField("collectifs retenus", default=0)
    bonus_children_retained = models.BooleanField("bonus enfants retenu", default=False)
    bonus_parents_retained = models.BooleanField("bonus parents retenu", default=False)
    forecast_ps = models.DecimalField(
        "PS prévisionnelle", max_digits=12, decimal_places=2, default=0
    )
    forecast_bonus = models.DecimalField(
        "bonus prévisionnels", max_digits=12, decimal_places=2, default=0
    )
    computation = models.ForeignKey(
        "funding.FundingComputation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField("motif", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="item__session__caf")).as_manager()

    class Meta:
        verbose_name = "décision"

    def __str__(self):
        return self.get_outcome_display()

    @property
    def total(self):
        return self.forecast_ps + self.forecast_bonus


SESSION_EXPORTS = ["agrement_pdf", "agrement_xlsx", "letters", "partner_pdf", "partner_xlsx"]


class ExportJob(models.Model):
    """A file built in the background (Celery) with its progress saved for a status page: a
    session's agrément list or letters, or the Caf's payments or audit log as the person who asked
    had filtered them. Each kind's builder is registered in `clasportal.exports`."""

    class Kind(models.TextChoices):
        AGREMENT_PDF = "agrement_pdf", "Liste d'agrément (PDF)"
        AGREMENT_XLSX = "agrement_xlsx", "Liste d'agrément (XLSX)"
        LETTERS = "letters", "Lettres de notification (PDF)"
        PARTNER_PDF = "partner_pdf", "Liste d'un financeur (PDF)"
        PARTNER_XLSX = "partner_xlsx", "Liste d'un financeur (XLSX)"
        PAYMENTS_CSV = "payments_csv", "Paiements (CSV)"
        PAYMENTS_XLSX = "payments_xlsx", "Paiements (XLSX)"
        AUDIT_CSV = "audit_csv", "Journal des actions (CSV)"
        PROJECTS_CSV = "projects_csv", "Projets (CSV)"
        PROJECTS_XLSX = "projects_xlsx", "Projets (XLSX)"
        COLLECTIVES_CSV = "collectives_csv", "Collectifs (CSV)"
        COLLECTIVES_XLSX = "collectives_xlsx", "Collectifs (XLSX)"
        DECLARATIONS_CSV = "declarations_csv", "Déclarations (CSV)"
        DECLARATIONS_XLSX = "declarations_xlsx", "Déclarations (XLSX)"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Prêt"
        FAILED = "failed", "Échec"

    SESSION_KINDS = (Kind.AGREMENT_PDF, Kind.AGREMENT_XLSX, Kind.LETTERS)
    # One partner's own list of a session (issue 18): `filters` holds {"partner": its id}.
    PARTNER_KINDS = (Kind.PARTNER_PDF, Kind.PARTNER_XLSX)
    PAYMENT_KINDS = (Kind.PAYMENTS_CSV, Kind.PAYMENTS_XLSX)
    LIST_KINDS = (
        Kind.PROJECTS_CSV,
        Kind.PROJECTS_XLSX,
        Kind.COLLECTIVES_CSV,
        Kind.COLLECTIVES_XLSX,
        Kind.DECLARATIONS_CSV,
        Kind.DECLARATIONS_XLSX,
    )

    caf = models.ForeignKey("clasportal.Caf", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        CommitteeSession, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    filters = models.JSONField("filtres de la liste", default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    # Row exports (payments, lists) also say how far they are in rows: « 4 000 lignes sur 20 000 ».
    rows_done = models.PositiveIntegerField("lignes écrites", default=0)
    rows_total = models.PositiveIntegerField("lignes à écrire", default=0)
    file = models.FileField(upload_to="exports/%Y/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = scoped(Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "export"
        ordering = ["-created_at"]
        constraints = [
            # A session's exports hang on their session; the Caf-wide ones on none.
            models.CheckConstraint(
                condition=models.Q(kind__in=SESSION_EXPORTS, session__isnull=False)
                | (~models.Q(kind__in=SESSION_EXPORTS) & models.Q(session__isnull=True)),
                name="export_session_for_session_kinds",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.caf_id is None and self.session_id is not None:
            self.caf_id = self.session.caf_id  # a session's export belongs to the session's Caf
        super().save(*args, **kwargs)


# The in-year bonus request lives in its own module; the app sees it here.
from .bonus_request_model import InYearBonusRequest  # noqa: E402, F401

# Schemes, envelopes and each financer's decision (issue 18) live in their own module.
from .financers import (  # noqa: E402,F401
    Envelope,
    FinancerDecision,
    FinancingScheme,
    SchemeRequest,
)
from .people import Attendance, PartnerAccount  # noqa: E402,F401  (models of this app)
