"""The way back for someone who lost both their phone and their recovery codes and has no Caf
administrator above them (the national admin, or a Caf's only administrator)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clasportal import second_factor
from clasportal.accounts import normalize_username


class Command(BaseCommand):
    help = "Réinitialise le second facteur d'un compte (application et codes de secours)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="adresse e-mail du compte")

    def handle(self, *args, **options):
        email = normalize_username(options["email"])
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"Aucun compte pour {email}.")
        second_factor.reset(user)
        self.stdout.write(
            f"Second facteur de {email} réinitialisé : il l'activera à nouveau à sa prochaine "
            "connexion s'il lui est exigé."
        )
