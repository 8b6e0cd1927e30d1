import json

from django.core.management.base import BaseCommand

from funding.cases import CaseError, load_json, result_to_json
from funding.cli import emit_errors, read_case_text
from funding.services import compute_from_data


class Command(BaseCommand):
    help = "Calcule la PS Clas et les bonus d'un cas JSON (contrat shared/funding/CONTRACT.md)."

    def add_arguments(self, parser):
        parser.add_argument("case", help="fichier JSON du cas, ou « - » pour l'entrée standard")

    def handle(self, *args, **options):
        try:
            data = load_json(read_case_text(options["case"]))
            _case, result = compute_from_data(data)
        except CaseError as exc:
            emit_errors(self, exc.errors)
            return
        self.stdout.write(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
