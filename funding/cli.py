"""What the contract commands (`clas_funding`, `clas_checks`) share: reading a case from a file
or standard input, and the `{"errors": [...]}` answer with exit code 2."""

import json
import sys
from pathlib import Path

from .cases import CaseError


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
                    "message": f"Impossible de lire le fichier « {path} » : {_reason(exc)}.",
                }
            ]
        ) from None


def _reason(exc) -> str:
    """Why a file cannot be read, in French (the system's own text is in English)."""
    if isinstance(exc, UnicodeDecodeError):
        return "il n'est pas encodé en UTF-8"
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier, pas un fichier"
    if isinstance(exc, PermissionError):
        return "lecture non autorisée"
    return "erreur de lecture"


def emit_errors(command, errors) -> None:
    command.stdout.write(json.dumps({"errors": errors}, ensure_ascii=False, indent=2))
    sys.exit(2)
