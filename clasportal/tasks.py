from celery import shared_task
from django.core.management import call_command


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions():
    call_command("clearsessions")
