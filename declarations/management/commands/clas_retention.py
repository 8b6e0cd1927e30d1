"""Applies the retention durations written in the README, for one Caf or all of them.

Without --appliquer it only lists what it would delete or deactivate; with it, it does so in one
transaction, and removes the stored files once the transaction is committed.

- the documents of a campaign (attached pieces, declaration documents, deposit receipts) ten
  years after its last payment (or its closing, without payment); the figures, decisions and
  payments stay;
- accounts without a login for two years are deactivated (never deleted: they sign decisions);
- login attempts and lockouts (axes) after one year;
- sent e-mails of the outbox after 90 days;
- export files after 30 days (the list or the session they came from can export again);
- read notices after one year.
"""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from clasportal import files
from clasportal.models import Caf, Notice, OutboundEmail
from committee.models import ExportJob
from projects.models import Attachment, Campaign, Project

from ...models import DeclarationDocument, Payment

CAMPAIGN_YEARS = 10
ACCOUNT_YEARS = 2
LOGIN_LOG_DAYS = 365
OUTBOX_DAYS = 90
EXPORT_DAYS = 30
NOTICE_DAYS = 365


class Command(BaseCommand):
    help = "Applique les durées de conservation (liste d'abord, --appliquer pour supprimer)."

    def add_arguments(self, parser):
        parser.add_argument("--caf", help="numéro de la Caf (toutes les Caf sans ce choix)")
        parser.add_argument(
            "--appliquer", action="store_true", help="supprimer vraiment (sinon : liste seulement)"
        )

    def handle(self, *args, caf=None, appliquer=False, **options):
        now = timezone.now()
        caf_obj = None
        if caf:
            caf_obj = Caf.objects.filter(number=caf).first()
            if caf_obj is None:
                raise CommandError(f"Aucune Caf ne porte le numéro « {caf} ».")
        plan = self.plan(now, caf_obj)
        scope = f"Caf {caf_obj.name}" if caf_obj else "toutes les Caf"
        self.stdout.write(f"Conservation — {scope} — {now:%d/%m/%Y}")
        for label, queryset, _ in plan:
            self.stdout.write(f"  {queryset.count():>6}  {label}")
        if not appliquer:
            self.stdout.write("Rien n'est supprimé : relancez avec --appliquer pour le faire.")
            return
        stored = []
        with transaction.atomic():
            for _label, queryset, action in plan:
                stored += action(queryset)
        for name in stored:
            files.discard(name)
        self.stdout.write(
            self.style.SUCCESS(
                f"Fait : {len(stored)} fichier{pluralize(len(stored))} supprimé{pluralize(len(stored))}."
            )
        )

    def plan(self, now, caf):
        def in_caf(path):
            return Q(**{path: caf}) if caf else Q()

        old_campaigns = self.old_campaigns(now, caf)
        inactive_since = now - datetime.timedelta(days=365 * ACCOUNT_YEARS)
        users = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(
                Q(last_login__lt=inactive_since)
                | Q(last_login__isnull=True, date_joined__lt=inactive_since)
            )
        )
        if caf:
            users = users.filter(
                Q(staff_profile__caf=caf) | Q(carrier_memberships__carrier__caf=caf)
            ).distinct()
        logins = now - datetime.timedelta(days=LOGIN_LOG_DAYS)
        return [
            (
                f"pièces jointes de campagnes closes depuis plus de {CAMPAIGN_YEARS} ans",
                Attachment.objects.filter(project__campaign__in=old_campaigns),
                self.delete_with_files,
            ),
            (
                f"documents de déclaration de campagnes closes depuis plus de {CAMPAIGN_YEARS} ans",
                DeclarationDocument.objects.filter(
                    declaration__project__campaign__in=old_campaigns
                ),
                self.delete_with_files,
            ),
            (
                f"récépissés de dépôt de campagnes closes depuis plus de {CAMPAIGN_YEARS} ans",
                Project.objects.filter(campaign__in=old_campaigns).exclude(receipt=""),
                self.clear_receipts,
            ),
            (
                f"comptes sans connexion depuis {ACCOUNT_YEARS} ans (désactivés, pas supprimés)",
                users,
                self.deactivate,
            ),
            (
                f"traces de connexion (tentatives, blocages) de plus de {LOGIN_LOG_DAYS} jours",
                AccessAttempt.objects.filter(attempt_time__lt=logins),
                self.delete,
            ),
            (
                f"journal des connexions de plus de {LOGIN_LOG_DAYS} jours",
                AccessLog.objects.filter(attempt_time__lt=logins),
                self.delete,
            ),
            (
                f"échecs de connexion de plus de {LOGIN_LOG_DAYS} jours",
                AccessFailureLog.objects.filter(attempt_time__lt=logins),
                self.delete,
            ),
            (
                f"e-mails envoyés depuis plus de {OUTBOX_DAYS} jours",
                OutboundEmail.objects.filter(
                    in_caf("caf"),
                    status=OutboundEmail.Status.SENT,
                    sent_at__lt=now - datetime.timedelta(days=OUTBOX_DAYS),
                ),
                self.delete,
            ),
            (
                f"fichiers d'export de plus de {EXPORT_DAYS} jours",
                ExportJob.objects.filter(
                    in_caf("caf"), created_at__lt=now - datetime.timedelta(days=EXPORT_DAYS)
                ),
                self.delete_with_files,
            ),
            (
                f"avis lus depuis plus de {NOTICE_DAYS} jours",
                Notice.objects.filter(
                    in_caf("caf"), read_at__lt=now - datetime.timedelta(days=NOTICE_DAYS)
                ),
                self.delete,
            ),
        ]

    def old_campaigns(self, now, caf):
        limit = (now - datetime.timedelta(days=365 * CAMPAIGN_YEARS)).date()
        campaigns = Campaign.objects.all() if caf is None else Campaign.objects.filter(caf=caf)
        last_paid = dict(
            Payment.objects.filter(project__campaign__in=campaigns)
            .values("project__campaign")
            .annotate(last=Max("updated_at"))
            .values_list("project__campaign", "last")
        )
        old = [
            c.pk
            for c in campaigns
            if (timezone.localdate(last_paid[c.pk]) if c.pk in last_paid else c.closes_on) < limit
        ]
        return Campaign.objects.filter(pk__in=old)

    @staticmethod
    def deactivate(queryset):
        queryset.update(is_active=False)
        return []

    @staticmethod
    def delete(queryset):
        queryset.delete()
        return []

    @staticmethod
    def delete_with_files(queryset):
        names = [name for name in queryset.values_list("file", flat=True) if name]
        queryset.delete()
        return names

    @staticmethod
    def clear_receipts(queryset):
        names = list(queryset.values_list("receipt", flat=True))
        queryset.update(receipt="")
        return names
