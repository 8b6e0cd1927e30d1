"""Password reset and change: Django's views, French forms, mails through the outbox."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string

from .accounts import (
    client_ip,
    link_validity_days,
    normalize_username,
    password_reset_rate_limited,
    unlock,
)
from .forms import StyledFormMixin
from .notifications import notify

RATE_LIMIT_MESSAGE = (
    "Trop de demandes de nouveau mot de passe pour cette adresse ou depuis votre connexion. "
    "Réessayez dans une heure ; si le problème persiste, contactez votre Caf."
)


class PasswordResetRequestForm(StyledFormMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Saisissez l'adresse e-mail de votre compte.",
            "invalid": "Saisissez une adresse e-mail valide (ex. prenom.nom@structure.fr).",
        },
    )

    def clean_email(self):
        return normalize_username(self.cleaned_data["email"])

    def get_users(self, email):
        # Unlike Django's default, an invited person who never chose a password may ask too:
        # the link is the one the invitation carried, so an expired invitation is not a dead end.
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if normalize_username(user.email) == email)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        notify(subject=subject, body=body, to=[to_email])


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"validity_days": link_validity_days()}

    def form_valid(self, form):
        if password_reset_rate_limited(form.cleaned_data["email"], client_ip(self.request)):
            form.add_error(None, RATE_LIMIT_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = StyledSetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proves they read the account's mailbox ends its lockout too.
        unlock(form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm
