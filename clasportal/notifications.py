"""E-mails are written to the outbox with the change that causes them, and leave through Celery
after the commit. With the broker down they wait in the outbox and the beat retries them."""

from django.db import transaction

from .tasks import queue_email


def notify(*, subject, body, to, attachment=None, caf_id=None):
    from .models import OutboundEmail

    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    email = OutboundEmail.objects.create(
        subject=" ".join(subject.split())[:255],
        body=body,
        recipients=recipients,
        attachment=attachment or "",
        caf_id=caf_id,
    )
    transaction.on_commit(lambda: queue_email(email.pk))
    return email
