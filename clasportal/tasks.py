from celery import shared_task
from django.core.management import call_command


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions():
    call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_email(subject, body, recipients, attachment=None):
    """Idempotent enough: a retried e-mail is sent again only if the first attempt failed."""
    from django.core.files.storage import default_storage
    from django.core.mail import EmailMessage

    message = EmailMessage(subject, body, to=recipients)
    if attachment:
        with default_storage.open(attachment, "rb") as handle:
            message.attach(attachment.rsplit("/", 1)[-1], handle.read(), "application/pdf")
    message.send()
