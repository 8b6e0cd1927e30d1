"""E-mails leave through Celery, after the transaction commits, and retry when the relay fails."""

from django.db import transaction


def notify(*, subject, body, to, attachment=None):
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    from .tasks import send_email

    transaction.on_commit(lambda: send_email.delay(subject, body, recipients, attachment))
