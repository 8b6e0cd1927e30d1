"""Accounts: one form of the login name, the client's address behind the proxy, the login lockout
(django-axes) as the Caf administrator sees and lifts it, password links sent through the outbox
and taken out of it once sent, and a small rate limit on password reset requests."""

import hashlib
import ipaddress
import logging
import re
from functools import cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .notifications import notify

logger = logging.getLogger(__name__)

REDACTED_LINK = "[lien retiré après envoi]"


def normalize_username(value):
    """The one form of a login name: the e-mail address, stripped and in lower case. Accounts
    are created, looked up and locked out under this form, so `Admin@Demo.Clas.fr ` is the same
    person (and the same lockout) as `admin@demo.clas.fr`."""
    return str(value).strip().lower() if value is not None else None


class EmailBackend(ModelBackend):
    """Django's backend, fed the normalised login name. It authenticates and grants nothing:
    every permission is a predicate of clasportal/rules.py (its backend comes first), and the
    portal gives no one Django's group or model permissions. Without this, each page asking a
    permission that the rules deny ran two queries for those unused tables."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        field = get_user_model().USERNAME_FIELD
        if username is None:
            username = kwargs.pop(field, None)
        kwargs.pop(field, None)
        return super().authenticate(
            request, username=normalize_username(username), password=password, **kwargs
        )

    def get_user(self, user_id):
        """The person of each request, with their staff profile and Caf and their partner
        account in the same query: every page reads the role, and staff pages the Caf (three
        queries fewer per page)."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        try:
            user = User._default_manager.select_related(
                "staff_profile__caf", "partner_profile"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def axes_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: failures are counted and checked under the normalised name."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = None
    if credentials:
        value = credentials.get(field)
    elif request is not None and hasattr(request, "POST"):
        value = request.POST.get(field)
    return normalize_username(value)


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request):
    """The client's address. Behind N trusted proxies (CLAS_TRUSTED_PROXY_COUNT), each of which
    appends the address it received the request from to X-Forwarded-For, the client is the N-th
    entry from the right; anything left of it was written by the client and is not trusted. With
    no trusted proxy (development), the header is ignored and REMOTE_ADDR is the client."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "CLAS_TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) >= count and _is_ip(hops[-count]):
        return hops[-count]
    return remote


# --- Lockout as the Caf administrator sees it --------------------------------------------------


def locked_usernames(usernames):
    """The names among `usernames` that are locked out now, from at least one address."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    names = [normalize_username(name) for name in usernames]
    if not names:
        return set()
    attempts = AccessAttempt.objects.filter(
        username__in=names, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(attempts.values_list("username", flat=True))


def unlock(user):
    """Forget the failed logins of this person, from every address; returns how many rows went."""
    from axes.utils import reset

    return reset(username=normalize_username(user.get_username()))


# --- Password links ------------------------------------------------------------------------------


def password_set_url(user, base_url):
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{base_url}{path}"


def link_validity_days():
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def send_password_link(user, *, subject, intro, base_url):
    """An invitation (or a new one) to choose a password, through the outbox."""
    body = (
        f"Bonjour,\n\n{intro}\n\n"
        f"Choisissez votre mot de passe : {password_set_url(user, base_url)}\n\n"
        f"Ce lien ne sert qu'une fois et reste valable {link_validity_days()} jours. "
        "Passé ce délai, utilisez « Mot de passe oublié ? » sur la page de connexion.\n"
    )
    return notify(subject=subject, body=body, to=[user.email])


@cache
def _one_time_link_pattern():
    sample = reverse("password_reset_confirm", kwargs={"uidb64": "UID", "token": "TOKEN"})
    prefix = sample[: sample.index("UID")]
    return re.compile(r"\S*" + re.escape(prefix) + r"\S+")


def redact_one_time_links(body):
    """The body with its password links replaced: a sent e-mail keeps no usable token."""
    return _one_time_link_pattern().sub(REDACTED_LINK, body)


# --- Rate limit of reset requests ---------------------------------------------------------------


def _hit(kind, key, limit, window):
    """Count one request for `key`; True when the count is over `limit` within `window` seconds.
    The cache being down lets the request through (the lockout still guards the login)."""
    store = caches["default"]
    cache_key = f"clas:rate:{kind}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        store.add(cache_key, 0, window)
        try:
            count = store.incr(cache_key)
        except ValueError:  # expired between add and incr
            store.set(cache_key, 1, window)
            count = 1
    except Exception:
        logger.warning("rate limit of %s not checked: cache unreachable", kind, exc_info=True)
        return False
    return count > limit


def password_reset_rate_limited(email, ip):
    """Per e-mail and per client address: both counters move on every request."""
    window = settings.CLAS_PASSWORD_RESET_WINDOW
    by_email = _hit(
        "reset-email",
        normalize_username(email) or "",
        settings.CLAS_PASSWORD_RESET_PER_EMAIL,
        window,
    )
    by_ip = _hit("reset-ip", ip or "unknown", settings.CLAS_PASSWORD_RESET_PER_IP, window)
    return by_email or by_ip


def signup_rate_limited(email, ip):
    """Carrier sign-up requests (a public page): 3 per hour per e-mail, 10 per client address."""
    window = settings.CLAS_PASSWORD_RESET_WINDOW
    by_email = _hit("signup-email", normalize_username(email) or "", 3, window)
    by_ip = _hit("signup-ip", ip or "unknown", 10, window)
    return by_email or by_ip
