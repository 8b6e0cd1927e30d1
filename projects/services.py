"""Carrier-side services: inviting a colleague."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import CarrierMembership


@transaction.atomic
def invite_member(*, carrier, email, first_name="", last_name="", by, base_url):
    User = get_user_model()
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.staff_profile_or_none is not None:
        raise ValidationError("Cette adresse appartient à un agent de la Caf.", code="staff")
    created = user is None
    if created:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if CarrierMembership.objects.filter(carrier=carrier, user=user).exists():
        raise ValidationError("Cette personne est déjà membre de votre structure.", code="member")
    CarrierMembership.objects.create(carrier=carrier, user=user, invited_by=by)
    if created:
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        body = (
            f"Bonjour,\n\n{by} vous invite à rejoindre {carrier} sur le portail Clas.\n"
            f"Choisissez votre mot de passe : {base_url}{path}\n"
        )
    else:
        body = f"Bonjour,\n\n{by} vous a ajouté(e) à {carrier} sur le portail Clas.\n"
    transaction.on_commit(
        lambda: send_mail("Invitation au portail Clas", body, None, [email], fail_silently=True)
    )
    return user
