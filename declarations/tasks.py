"""Beat tasks of the declarations app: the daily reminders and the digest of notices."""

from celery import shared_task

from . import reminders


@shared_task
def send_reminders():
    """Idempotent: a reminder already created for a person and deadline is not created again."""
    return len(reminders.run())


@shared_task
def send_notice_digests():
    return reminders.send_digests()
