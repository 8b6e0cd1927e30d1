"""Who sits on a committee (issue 18): the partner accounts of the co-financers' people, and the
attendance recorded per session (present, excused, absent, and whom each person represents)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clasportal.rules import Scope
from clasportal.scoping import scoped


class PartnerAccount(models.Model):
    """A person of a partner organisation (Conseil départemental, MSA…) with an account on the
    portal: the role « Partenaire du comité », tied to one organisation, hence one Caf. What the
    account sees is decided in `clasportal.rules` (the sessions it sits on, their deposited files)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_profile"
    )
    organisation = models.ForeignKey(
        "committee.PartnerOrganisation",
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name="organisation",
    )
    function = models.CharField("fonction", max_length=150, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="organisation__caf")).as_manager()

    class Meta:
        verbose_name = "compte partenaire"
        verbose_name_plural = "comptes partenaires"
        ordering = ["organisation", "user__last_name"]

    def __str__(self):
        return f"{self.user} ({self.organisation})"


class Attendance(models.Model):
    """One line of a session's attendance sheet: a named member (Caf staff or partner account)
    and the organisation they represent (none: the Caf), or, for sessions recorded before named
    members, an organisation alone."""

    class Status(models.TextChoices):
        PRESENT = "present", "Présent"
        EXCUSED = "excused", "Excusé"
        ABSENT = "absent", "Absent"

    session = models.ForeignKey(
        "committee.CommitteeSession", on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="membre",
    )
    organisation = models.ForeignKey(
        "committee.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="représente",
    )
    status = models.CharField("présence", max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = scoped(Scope(caf="session__caf", session="session")).as_manager()

    class Meta:
        verbose_name = "présence au comité"
        ordering = ["session", "organisation__name", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(user__isnull=False),
                name="attendance_person_once",
            ),
            models.UniqueConstraint(
                fields=["session", "organisation"],
                condition=models.Q(user__isnull=True),
                name="attendance_organisation_once",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(organisation__isnull=False),
                name="attendance_names_someone",
            ),
        ]

    def __str__(self):
        return f"{self.represented} — {self.get_status_display()}"

    @property
    def represented(self):
        return self.organisation.name if self.organisation_id else "Caf"

    @property
    def label(self):
        if self.user_id is None:
            return self.represented
        return f"{self.user} ({self.represented})"


def attendance_by_status(session):
    """[(label, [attendance…]), …] for the statuses someone has, present first."""
    rows = list(session.attendance.select_related("user", "organisation"))
    groups = []
    for status, label in Attendance.Status.choices:
        chosen = [row for row in rows if row.status == status]
        if chosen:
            groups.append((label + "s" if len(chosen) > 1 else label, chosen))
    return groups
