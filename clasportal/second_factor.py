"""The second factor of Caf staff and of the national admin: a TOTP authenticator app (RFC 6238,
django-otp's TOTPDevice) plus single-use recovery codes (its StaticDevice).

Who must use it is a rule (`clasportal.rules.second_factor_required`); `SecondFactorMiddleware`
asks `next_step(user)` on every page. Wrong codes are counted per person in the cache: after
CLAS_OTP_MAX_FAILURES in a row, verification is locked for CLAS_OTP_LOCKOUT_SECONDS. django-otp's
own throttling (1, 2, 4, 8… seconds between attempts, stored on the device) stays on underneath,
so a cache outage does not open the door to guessing codes.
"""

import logging
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from enum import Enum

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import rules

logger = logging.getLogger(__name__)

DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
PENDING_KEY_SESSION = "clas_otp_pending_key"


class Step(Enum):
    VERIFY = "verify"  # enrolled, the session has not given a code yet
    ENROL = "enrol"  # required, not enrolled yet


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolled_user_ids(user_ids):
    """Among `user_ids`, those who have an active authenticator app (one query)."""
    return set(
        TOTPDevice.objects.filter(user_id__in=list(user_ids), confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def next_step(user):
    """What the person must do before any page: give a code, enrol, or nothing."""
    if not (user.is_authenticated and rules.may_use_second_factor(user)):
        return None
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return Step.VERIFY
    if rules.second_factor_required(user):
        return Step.ENROL
    return None


def normalize(code):
    """Codes as people type them: `123 456`, `abcd-efgh`, `ABCD EFGH`."""
    return "".join(str(code or "").split()).replace("-", "").lower()


# --- Enrolment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """The secret offered to the person, kept in their session until a code confirms it: no row is
    written before then (a GET changes nothing)."""

    key: str  # hex, as TOTPDevice stores it
    user: object

    @property
    def device(self):
        """An unsaved device, for its otpauth:// URL."""
        return TOTPDevice(user=self.user, key=self.key, name=DEVICE_NAME, confirmed=False)

    @property
    def secret(self):
        """The base32 secret, in groups of four for typing into an app by hand."""
        text = b32encode(unhexlify(self.key)).decode()
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    def qr_svg(self):
        return qr_svg(self.device.config_url)


def pending_enrolment(request):
    key = request.session.get(PENDING_KEY_SESSION)
    if not key:
        key = random_hex(20)
        request.session[PENDING_KEY_SESSION] = key
    return Enrolment(key=key, user=request.user)


def qr_svg(data):
    """The QR code as an inline SVG (no image service, no inline style: the CSP allows neither)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=2)
    svg = image.get_image()
    for attribute in ("width", "height"):  # sized by CSS (.otp-qr)
        svg.attrib.pop(attribute, None)
    svg.set("class", "otp-qr")
    svg.set("role", "img")
    svg.set("aria-label", "QR code à scanner avec votre application d'authentification")
    for element in svg.iter():
        element.attrib.pop("id", None)
    # Built here from the device's URL, no user input: safe to put in the page as it is.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def confirm_enrolment(request, enrolment, code):
    """Check the first code against the offered secret; on success, store the device, mark the
    session verified and return the new recovery codes; None for a wrong code."""
    code = normalize(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = TOTP(unhexlify(enrolment.key), step=30, t0=0, digits=6)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        return None
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name=DEVICE_NAME,
            key=enrolment.key,
            confirmed=True,
            last_t=totp.t(),  # the code just given cannot be given again
            drift=totp.drift,
        )
        codes = new_recovery_codes(user)
    request.session.pop(PENDING_KEY_SESSION, None)
    _verified(request, device)
    logger.info("second factor enrolled by user %s", user.pk)
    return codes


def new_recovery_codes(user):
    """Replace the person's recovery codes; returns them (shown once, then only stored)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < settings.CLAS_OTP_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return [f"{token[:4]}-{token[4:]}" for token in codes]


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


def reset(user):
    """Forget the person's app and recovery codes (lost phone): they enrol again if required."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    _clear_failures(user)


# --- Verification after the password ------------------------------------------------------------


class Outcome(Enum):
    APP = "app"
    RECOVERY = "recovery"
    WRONG = "wrong"
    TOO_SOON = "too_soon"  # django-otp's throttling: the code was not even checked
    LOCKED = "locked"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    attempts_left: int | None = None

    @property
    def ok(self):
        return self.outcome in (Outcome.APP, Outcome.RECOVERY)


def verify(request, code):
    """Check a code from the app (6 digits) or a recovery code; count the wrong ones."""
    user = request.user
    if is_locked(user):
        return Verification(Outcome.LOCKED)
    code = normalize(code)
    is_app_code = len(code) == 6 and code.isdigit()
    model = TOTPDevice if is_app_code else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    too_soon = device is not None and not device.verify_is_allowed()[0]
    verified = (
        device is not None and not too_soon and verify_token(user, device.persistent_id, code)
    )
    if verified:
        _clear_failures(user)
        _verified(request, verified)
        logger.info("second factor verified for user %s (%s)", user.pk, model.__name__)
        return Verification(Outcome.APP if is_app_code else Outcome.RECOVERY)
    # A code sent too soon after a wrong one counts as wrong: guessing fast gains nothing.
    left = _record_failure(user)
    logger.warning("wrong second factor code for user %s", user.pk)
    if left == 0:
        return Verification(Outcome.LOCKED)
    return Verification(Outcome.TOO_SOON if too_soon else Outcome.WRONG, attempts_left=left)


def _verified(request, device):
    # A new session key once the second factor is given, as after the password.
    request.session.cycle_key()
    otp_login(request, device)


def _keys(user):
    return f"clas:otp:failures:{user.pk}", f"clas:otp:locked:{user.pk}"


def is_locked(user):
    try:
        return bool(caches["default"].get(_keys(user)[1]))
    except Exception:
        logger.warning("second factor lock not read: cache unreachable", exc_info=True)
        return False


def _record_failure(user):
    """One more wrong code; returns how many are left before the lock (0: locked now), None when
    the cache cannot count (django-otp's throttling still slows guessing down)."""
    store = caches["default"]
    failures_key, locked_key = _keys(user)
    window = settings.CLAS_OTP_LOCKOUT_SECONDS
    try:
        store.add(failures_key, 0, window)
        try:
            count = store.incr(failures_key)
        except ValueError:  # expired between add and incr
            store.set(failures_key, 1, window)
            count = 1
        if count >= settings.CLAS_OTP_MAX_FAILURES:
            store.set(locked_key, True, window)
            store.delete(failures_key)
            logger.warning("second factor locked for user %s", user.pk)
            return 0
    except Exception:
        logger.warning("second factor failure not counted: cache unreachable", exc_info=True)
        return None
    return settings.CLAS_OTP_MAX_FAILURES - count


def _clear_failures(user):
    try:
        caches["default"].delete_many(list(_keys(user)))
    except Exception:
        logger.warning("second factor failures not cleared: cache unreachable", exc_info=True)
