import json

from django.core.management.base import BaseCommand

from declarations.cases import parse_check_case
from funding.cases import CaseError, load_json
from funding.checks import run_checks
from funding.cli import emit_errors, read_case_text
from funding.services import bareme_for_year


class Command(BaseCommand):
    help = "Contrôles de cohérence d'un cas JSON (contrat shared/declarations/CHECKS.md)."

    def add_arguments(self, parser):
        parser.add_argument("case", help="fichier JSON du cas, ou « - » pour l'entrée standard")

    def handle(self, *args, **options):
        try:
            data = load_json(read_case_text(options["case"]))
            contexts = parse_check_case(data, bareme_for_year)
        except CaseError as exc:
            emit_errors(self, exc.errors)
            return
        output = {
            name: [finding.as_dict() for finding in run_checks(context)]
            for name, context in contexts.items()
        }
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
