from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboards import dashboard_for
from .forms import EmailAuthenticationForm


def home(request):
    template, context = dashboard_for(request.user)
    return render(request, template, context)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


def _redis_state():
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5)
        client.ping()
        return "ok"
    except Exception as exc:  # any failure is the answer, not an error of this page
        return f"indisponible ({exc.__class__.__name__})"


@login_not_required
@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:
        database = f"indisponible ({exc.__class__.__name__})"
    redis_state = "non utilisé (Celery en mode immédiat)"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        redis_state = _redis_state()
    healthy = database == "ok" and redis_state in ("ok", "non utilisé (Celery en mode immédiat)")
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "redis": redis_state},
        status=200 if healthy else 503,
    )


@login_not_required
def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def error_500(request):
    return render(request, "errors/500.html", status=500)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)
