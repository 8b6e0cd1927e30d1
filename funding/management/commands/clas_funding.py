import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from funding.cases import CaseError, load_json, result_to_json
from funding.services import compute_from_data


def read_case_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(
            [
                {
                    "field": "case",
                    "code": "unreadable_case",
                    "message": f"Impossible de lire le fichier « {path} » : {exc.strerror or exc}.",
                }
            ]
        ) from None


def emit_errors(command, errors) -> None:
    command.stdout.write(json.dumps({"errors": errors}, ensure_ascii=False, indent=2))
    sys.exit(2)


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
