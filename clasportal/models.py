"""People and Caf-side organisations: users, Caf, territories, communes, staff profiles."""

import base64
import logging

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from . import rules
from .roles import STAFF_ROLES, Role
from .scoping import scoped

logger = logging.getLogger(__name__)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person; logs in with an e-mail address."""

    username = None
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    is_national_admin = models.BooleanField("administrateur national", default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def staff_profile_or_none(self):
        try:
            return self.staff_profile
        except StaffProfile.DoesNotExist:
            return None

    @property
    def partner_profile_or_none(self):
        """The person's partner account (`committee.PartnerAccount`), if they hold one."""
        try:
            return self.partner_profile
        except (ObjectDoesNotExist, AttributeError):
            return None

    @cached_property
    def role(self):
        """The one role the portal gives this person (a person holds one role), read once per
        request: the user object lives for one request."""
        if not self.is_authenticated:
            return None
        if self.is_national_admin:
            return Role.NATIONAL_ADMIN
        profile = self.staff_profile_or_none
        if profile is not None:
            return Role(profile.role)
        if self.partner_profile_or_none is not None:
            return Role.PARTNER
        if self.member_carrier_ids:
            return Role.CARRIER
        return None

    @cached_property
    def member_carrier_ids(self):
        """The carriers whose invitation this person accepted, read once per request (the role
        and every "member of this carrier" rule ask it)."""
        if not self.is_authenticated:
            return frozenset()
        return frozenset(
            self.carrier_memberships.filter(accepted_at__isnull=False).values_list(
                "carrier_id", flat=True
            )
        )

    @property
    def caf(self):
        profile = self.staff_profile_or_none
        return profile.caf if profile else None


class Caf(models.Model):
    number = models.CharField("numéro", max_length=3, unique=True)
    name = models.CharField("nom", max_length=120)
    departement = models.CharField("département", max_length=3)
    address = models.TextField("adresse", blank=True)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone", max_length=20, blank=True)
    # Printed at the top of the Caf's PDFs (agrément list, letters, conventions); PNG or JPEG.
    logo = models.FileField("logo (PNG ou JPEG)", upload_to="caf-logos/", blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", null=True, blank=True, auto_now_add=True)
    # Set by the Caf administrator on the team page: every staff member of the Caf then logs in
    # with a TOTP code after the password (clasportal.second_factor).
    requires_second_factor = models.BooleanField(
        "second facteur exigé pour tous les agents", default=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Caf"
        verbose_name_plural = "Caf"
        ordering = ["departement"]

    def __str__(self):
        return self.name

    @cached_property
    def logo_data_uri(self):
        """The logo inlined for WeasyPrint (`data:` URI): the file is read from the private
        storage, never fetched by URL. Empty without a logo, when its file is gone or when the
        object store does not answer: the letter or the list is made without it."""
        if not self.logo:
            return ""
        name = self.logo.name.lower()
        content_type = "image/png" if name.endswith(".png") else "image/jpeg"
        from .files import STORAGE_ERRORS

        try:
            with self.logo.open("rb") as handle:
                data = handle.read()
        except STORAGE_ERRORS as exc:  # file gone, disk error, object store down (botocore)
            logger.warning("logo of caf %s unreadable: %s (%s)", self.pk, self.logo.name, exc)
            return ""
        return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


class Territory(models.Model):
    """A sector of a Caf (often an EPCI), the unit advisors are assigned to."""

    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="territories")
    name = models.CharField("nom", max_length=120)
    history = HistoricalRecords()

    objects = scoped(rules.Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "territoire"
        ordering = ["caf", "name"]
        constraints = [
            models.UniqueConstraint(fields=["caf", "name"], name="territory_unique_name_per_caf")
        ]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=120)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="communes")
    territory = models.ForeignKey(
        Territory, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    is_rural = models.BooleanField("milieu rural", default=False)
    is_zrr = models.BooleanField("zone de revitalisation rurale (ZRR)", default=False)
    is_qpv = models.BooleanField(
        "quartier prioritaire de la politique de la ville (QPV)", default=False
    )
    history = HistoricalRecords()

    objects = scoped(rules.Scope(caf="caf", carrier="caf")).as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """What a Caf staff member is: their Caf, their role, and for advisors their territories."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    caf = models.ForeignKey(Caf, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(
        "rôle", max_length=20, choices=[(r.value, r.label) for r in STAFF_ROLES]
    )
    territories = models.ManyToManyField(Territory, blank=True, related_name="advisors")
    requires_second_factor = models.BooleanField("second facteur exigé", default=False)
    history = HistoricalRecords(m2m_fields=[territories])

    objects = scoped(rules.Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "profil Caf"

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.caf})"


class OutboundEmail(models.Model):
    """The outbox: an e-mail is written with the change that causes it, then sent by Celery.

    When the broker is down the row stays pending and the beat sends it again (degraded mode);
    a sent row is never sent twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    caf = models.ForeignKey(Caf, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    recipients = models.JSONField(default=list)
    attachment = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = scoped(rules.Scope(caf="caf")).as_manager()

    class Meta:
        verbose_name = "e-mail sortant"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.subject


class NoticeKind(models.TextChoices):
    WINDOW_CLOSING = "window_closing", "Dépôt bientôt clos, demande en brouillon"
    DECLARATION_DUE = "declaration_due", "Déclaration à transmettre bientôt"
    DECLARATION_OVERDUE = "declaration_overdue", "Déclaration en retard"
    BILAN_DUE = "bilan_due", "Bilan à transmettre bientôt"
    BILAN_OVERDUE = "bilan_overdue", "Bilan en retard"
    CHANGES_UNANSWERED = "changes_unanswered", "Modifications demandées restées sans réponse"
    FILES_WAITING = "files_waiting", "Dossiers en attente d'instruction"


class Notice(models.Model):
    """A reminder or notice for one person, shown in the portal's notification centre and,
    by the person's choice, e-mailed at once or in a daily digest. `key` names the deadline it
    is about: a reminder is created once per person and key, however often the beat runs."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    caf = models.ForeignKey(Caf, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField("nature", max_length=30, choices=NoticeKind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField("objet", max_length=255)
    body = models.TextField("message")
    url = models.CharField("lien", max_length=255, blank=True)
    created_at = models.DateTimeField("reçu le", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyé par e-mail le", null=True, blank=True)

    objects = scoped(rules.Scope(caf="caf", owner="user")).as_manager()

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notice_once_per_person_and_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class NoticePreference(models.Model):
    """How a person receives one kind of notice; without a row, an e-mail at once."""

    class Channel(models.TextChoices):
        IMMEDIATE = "immediate", "Par e-mail, aussitôt"
        DIGEST = "digest", "Par e-mail, un récapitulatif par jour"
        PORTAL = "portal", "Dans le portail seulement"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField("nature", max_length=30, choices=NoticeKind.choices)
    channel = models.CharField(
        "réception", max_length=10, choices=Channel.choices, default=Channel.IMMEDIATE
    )
    history = HistoricalRecords()

    objects = scoped(rules.Scope(caf="user__staff_profile__caf", owner="user")).as_manager()

    class Meta:
        verbose_name = "préférence d'avis"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_once")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()}"
