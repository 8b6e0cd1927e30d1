"""The second factor as a person sees it: enrol an authenticator app, keep recovery codes, give a
code after the password. The rules (who must, the lockout) are in clasportal.second_factor."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import rules, second_factor
from .forms import StyledFormMixin
from .middleware import second_factor_step

RECOVERY_CODES_SESSION = "clas_otp_recovery_codes"
WRONG_ENROLMENT_CODE = (
    "Ce code ne correspond pas. Saisissez le code à 6 chiffres affiché maintenant par "
    "l'application ; s'il est refusé encore, vérifiez que l'heure du téléphone est automatique."
)
LOCKED = (
    "Trop de codes erronés : par sécurité, la vérification est bloquée pendant {minutes} minutes. "
    "Réessayez plus tard ; si vous avez perdu votre téléphone et vos codes de secours, "
    "contactez l'administrateur de votre Caf."
)


class EnrolmentForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres affiché par l'application",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 8,
            }
        ),
        error_messages={"required": "Saisissez le code à 6 chiffres affiché par l'application."},
    )

    def clean_code(self):
        code = second_factor.normalize(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Le code comporte 6 chiffres (ex. 123456).")
        return code


class VerificationForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application d'authentification, "
        "ou l'un de vos codes de secours (ex. abcd-efgh).",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={
            "required": "Saisissez le code affiché par votre application ou un code de secours."
        },
    )


def _refuse(form, message):
    """A refusal found after validation, marked on the field like the form's own errors."""
    form.add_error("code", message)
    widget = form.fields["code"].widget
    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    widget.attrs["aria-describedby"] = f"err-{form.add_prefix('code')}"


def _lock_minutes():
    return settings.CLAS_OTP_LOCKOUT_SECONDS // 60


def _require_permission(request):
    if not request.user.has_perm("clasportal.use_second_factor"):
        raise PermissionDenied


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@second_factor_step("enrolment")
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrolment, or for an enrolled person the state of their second factor."""
    _require_permission(request)
    user = request.user
    is_required = rules.second_factor_required(user)
    device = second_factor.confirmed_device(user)
    if device is not None:
        return render(
            request,
            "registration/second_factor_status.html",
            {
                "device": device,
                "codes_left": second_factor.recovery_codes_left(user),
                "is_required": is_required,
            },
        )
    enrolment = second_factor.pending_enrolment(request)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(request, enrolment, form.cleaned_data["code"])
        if codes is not None:
            request.session[RECOVERY_CODES_SESSION] = codes
            messages.success(
                request, "Second facteur activé : notez maintenant vos codes de secours."
            )
            return redirect("otp_recovery_codes")
        _refuse(form, WRONG_ENROLMENT_CODE)
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "form": form,
            "secret": enrolment.secret,
            "qr_svg": enrolment.qr_svg(),
            "is_required": is_required,
        },
    )


@never_cache
@require_http_methods(["GET"])
def recovery_codes(request):
    """The recovery codes just made, shown once: a reload shows them no more."""
    _require_permission(request)
    codes = request.session.pop(RECOVERY_CODES_SESSION, None)
    if not codes:
        messages.info(
            request,
            "Les codes de secours ne s'affichent qu'une fois. Si vous ne les avez plus, "
            "générez-en de nouveaux : les anciens cesseront de fonctionner.",
        )
        return redirect("otp_setup")
    return render(request, "registration/second_factor_codes.html", {"codes": codes})


@require_POST
def recovery_codes_regenerate(request):
    _require_permission(request)
    if second_factor.confirmed_device(request.user) is None:
        messages.error(request, "Activez d'abord votre application d'authentification.")
        return redirect("otp_setup")
    request.session[RECOVERY_CODES_SESSION] = second_factor.new_recovery_codes(request.user)
    messages.success(request, "Nouveaux codes de secours créés ; les anciens ne fonctionnent plus.")
    return redirect("otp_recovery_codes")


@second_factor_step("exempt")
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The "Code de vérification" page: after the password, once per session, for an enrolled person."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified() or second_factor.confirmed_device(user) is None:
        return redirect(next_url)
    form = VerificationForm(request.POST or None)
    status = 200
    locked = second_factor.is_locked(user)
    if request.method == "POST" and form.is_valid():
        result = second_factor.verify(request, form.cleaned_data["code"])
        if result.outcome is second_factor.Outcome.RECOVERY:
            left = second_factor.recovery_codes_left(user)
            messages.warning(
                request,
                f"Code de secours utilisé : il ne servira plus. Il vous en reste {left} ; "
                "générez-en de nouveaux depuis « Second facteur » si besoin.",
            )
        if result.ok:
            return redirect(next_url)
        locked = result.outcome is second_factor.Outcome.LOCKED
        if not locked:
            message = "Code incorrect."
            if result.outcome is second_factor.Outcome.TOO_SOON:
                message = "Code saisi trop vite après un code erroné : patientez quelques secondes."
            if result.attempts_left is not None:
                message += (
                    f" Il vous reste {result.attempts_left} essai"
                    f"{'s' if result.attempts_left > 1 else ''} avant un blocage de "
                    f"{_lock_minutes()} minutes."
                )
            _refuse(form, message)
    if locked:
        status = 429 if request.method == "POST" else 200
    return render(
        request,
        "registration/second_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "locked_message": LOCKED.format(minutes=_lock_minutes()) if locked else "",
        },
        status=status,
    )
