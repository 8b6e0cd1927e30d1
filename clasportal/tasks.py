import logging

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from .files import STORAGE_ERRORS

logger = logging.getLogger(__name__)


def queue_email(pk):
    """Hand an outbox row to the worker; with the broker down it waits for the beat."""
    try:
        send_email.delay(pk)
    except Exception:  # broker unreachable: the outbox row waits for the beat
        logger.warning("e-mail %s kept in the outbox: broker unreachable", pk, exc_info=True)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions():
    call_command("clearsessions")


@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_email(pk):
    """Idempotent: a row already sent is not sent again, whatever retried the task."""
    from django.core.files.storage import default_storage
    from django.core.mail import EmailMessage
    from django.db import transaction

    from .accounts import redact_one_time_links
    from .models import OutboundEmail

    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=pk)
        if email.status == OutboundEmail.Status.SENT:
            return pk
        email.attempts += 1
        try:
            message = EmailMessage(email.subject, email.body, to=email.recipients)
            if email.attachment:
                with default_storage.open(email.attachment, "rb") as handle:
                    message.attach(
                        email.attachment.rsplit("/", 1)[-1], handle.read(), "application/pdf"
                    )
            message.send()
        except (FileNotFoundError, PermissionError, ValueError, TypeError) as exc:
            # Not the network: sending again would fail the same way. Marked failed with its
            # reason, for the Caf administrator's dashboard, instead of retried forever.
            email.status = OutboundEmail.Status.FAILED
            email.last_error = f"{type(exc).__name__} : {exc}"[:1000]
            email.save(update_fields=["status", "attempts", "last_error"])
            logger.error("e-mail %s failed for good: %s", pk, email.last_error)
            return pk
        except STORAGE_ERRORS as exc:  # the mail server, the network, the storage: retried
            email.last_error = str(exc)[:1000]
            email.save(update_fields=["attempts", "last_error"])
            raise
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        # The outbox keeps sent rows for 90 days: no password link may stay usable in them.
        email.body = redact_one_time_links(email.body)
        email.save(update_fields=["status", "sent_at", "attempts", "body"])
    return pk


@shared_task
def retry_outbound_emails():
    from .models import OutboundEmail

    stale = timezone.now() - timezone.timedelta(seconds=settings.CLAS_REQUEUE_AFTER_SECONDS)
    for pk in OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING, created_at__lt=stale, attempts__lt=20
    ).values_list("pk", flat=True):
        queue_email(pk)
