"""Importing a Caf's communes from a CSV or XLSX file (django-import-export).

The file is read into a `tablib.Dataset` with French headers (`code_insee`, `nom`,
`code_postal`, `territoire`, `rural`, `zrr`, `qpv`), checked line by line in a dry run (every
problem reported with its line number, in French), and imported only when no line is wrong, in
one transaction: a file with one bad line imports nothing.
"""

import csv
import io
import re
import unicodedata
import zipfile

import tablib
from django.core.exceptions import ValidationError
from django.template.defaultfilters import pluralize
from import_export import fields, resources, widgets

from .models import Commune

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
COLUMNS = ("code_insee", "nom", "code_postal", "territoire", "rural", "zrr", "qpv")
REQUIRED_COLUMNS = ("code_insee", "nom")
# Other spellings a spreadsheet may carry, mapped to the column they mean.
ALIASES = {
    "insee": "code_insee",
    "code_commune": "code_insee",
    "commune": "nom",
    "nom_commune": "nom",
    "libelle": "nom",
    "cp": "code_postal",
    "code_postal_commune": "code_postal",
    "territory": "territoire",
    "secteur": "territoire",
    "milieu_rural": "rural",
    "est_rural": "rural",
}
TRUE_VALUES = {"oui", "o", "1", "x", "vrai", "true", "yes", "y"}
FALSE_VALUES = {"non", "n", "0", "", "faux", "false", "no"}
FLAG_HELP = "oui, non, 1, 0, x ou vide"
MAX_FILE_BYTES = 2 * 1024 * 1024
# An XLSX is a zip: refuse one that would inflate past this before openpyxl reads it.
MAX_XLSX_INFLATED = 50 * 1024 * 1024
MAX_LINES = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, encoding, columns): one French message."""


def _plain(header):
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows_from_csv(raw):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError("Le fichier n'est pas un texte lisible (UTF-8 ou Windows-1252).")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _rows_from_xlsx(raw):
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError("Ce fichier XLSX est illisible : enregistrez-le à nouveau.") from None
    if inflated > MAX_XLSX_INFLATED:
        raise ImportFileError("Ce fichier XLSX est trop volumineux une fois décompressé.")
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception:
        raise ImportFileError("Ce fichier XLSX est illisible : enregistrez-le à nouveau.") from None


def read_dataset(upload):
    """The uploaded file as a Dataset with the French column names, every cell a string."""
    name = (upload.name or "").lower()
    if upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            "Le fichier dépasse 2 Mo : une liste de communes est bien plus petite."
        )
    raw = upload.read()
    if not raw:
        raise ImportFileError("Le fichier est vide.")
    if raw[:4] == b"PK\x03\x04":
        rows = _rows_from_xlsx(raw)
    elif name.endswith((".xlsx", ".xls", ".ods")):
        raise ImportFileError("Enregistrez le tableau au format XLSX ou CSV.")
    else:
        rows = _rows_from_csv(raw)
    rows = [[_cell(value) for value in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ImportFileError("Le fichier ne contient aucune ligne.")
    headers = [ALIASES.get(_plain(h), _plain(h)) for h in rows[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise ImportFileError(
            f"Colonne{pluralize(len(missing))} manquante{pluralize(len(missing))} : "
            + ", ".join(missing)
            + ". La première ligne doit nommer les colonnes : "
            + ", ".join(COLUMNS)
            + " (téléchargez le modèle)."
        )
    kept = [i for i, header in enumerate(headers) if header in COLUMNS]
    if len({headers[i] for i in kept}) != len(kept):
        raise ImportFileError("Une colonne apparaît deux fois dans la première ligne.")
    if len(rows) - 1 > MAX_LINES:
        raise ImportFileError(f"Le fichier compte plus de {MAX_LINES} lignes.")
    dataset = tablib.Dataset(headers=[headers[i] for i in kept])
    for row in rows[1:]:
        row = row + [""] * (len(headers) - len(row))
        dataset.append([row[i] for i in kept])
    return dataset


def dataset_to_csv(dataset):
    return dataset.export("csv")


def dataset_from_csv(text):
    return tablib.Dataset().load(text, format="csv")


class FlagWidget(widgets.Widget):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        text = _cell(value).lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValueError(
            f"« {_cell(value)} » n'est pas une valeur possible pour {self.label} : {FLAG_HELP}."
        )

    def render(self, value, obj=None, **kwargs):
        return "oui" if value else "non"


class TerritoryWidget(widgets.Widget):
    """A territory named as the Caf names it (case and spaces ignored), among its own."""

    def __init__(self, territories):
        super().__init__()
        self.by_name = {_plain(t.name): t for t in territories}

    def clean(self, value, row=None, **kwargs):
        text = _cell(value)
        if not text:
            return None
        territory = self.by_name.get(_plain(text))
        if territory is None:
            raise ValueError(
                f"Territoire inconnu : « {text} ». Créez-le dans Paramétrage > Territoires "
                "ou corrigez son nom."
            )
        return territory

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class CommuneResource(resources.ModelResource):
    insee_code = fields.Field(attribute="insee_code", column_name="code_insee")
    name = fields.Field(attribute="name", column_name="nom")
    postcode = fields.Field(attribute="postcode", column_name="code_postal")
    territory = fields.Field(attribute="territory", column_name="territoire")
    is_rural = fields.Field(attribute="is_rural", column_name="rural", widget=FlagWidget("rural"))
    is_zrr = fields.Field(attribute="is_zrr", column_name="zrr", widget=FlagWidget("zrr"))
    is_qpv = fields.Field(attribute="is_qpv", column_name="qpv", widget=FlagWidget("qpv"))

    class Meta:
        model = Commune
        fields = ("insee_code", "name", "postcode", "territory", "is_rural", "is_zrr", "is_qpv")
        import_id_fields = ("insee_code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True

    def __init__(self, *, caf, territories):
        super().__init__()
        self.caf = caf
        self.fields["territory"].widget = TerritoryWidget(territories)
        self.seen = {}

    def before_import_row(self, row, **kwargs):
        number = kwargs.get("row_number")
        code = _cell(row.get("code_insee")).upper()
        if len(code) == 4 and code.isdigit():  # a spreadsheet ate the leading zero (Ain, 01…)
            code = "0" + code
        row["code_insee"] = code
        if not INSEE_CODE.match(code):
            raise ValidationError(
                {
                    "insee_code": f"Code INSEE « {code} » invalide : 5 chiffres (2A ou 2B puis "
                    "3 chiffres en Corse)."
                }
            )
        if code in self.seen:
            raise ValidationError(
                {"insee_code": f"Code INSEE {code} en double : déjà à la ligne {self.seen[code]}."}
            )
        self.seen[code] = number
        if not _cell(row.get("nom")):
            raise ValidationError({"name": "Le nom de la commune est obligatoire."})
        postcode = _cell(row.get("code_postal"))
        if postcode.isdigit() and len(postcode) == 4:
            postcode = "0" + postcode
        if postcode and not re.fullmatch(r"\d{5}", postcode):
            raise ValidationError(
                {"postcode": f"Code postal « {postcode} » invalide : 5 chiffres."}
            )
        if "code_postal" in row:
            row["code_postal"] = postcode
        existing = Commune.objects.filter(insee_code=code).select_related("caf").first()
        if existing is not None and existing.caf_id != self.caf.pk:
            raise ValidationError(
                {
                    "insee_code": f"La commune {code} ({existing.name}) appartient à la Caf "
                    f"{existing.caf.name} : elle ne peut pas être importée dans la vôtre."
                }
            )

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.caf = self.caf


LABELS = {
    "insee_code": "code_insee",
    "name": "nom",
    "postcode": "code_postal",
    "territory": "territoire",
    "is_rural": "rural",
    "is_zrr": "zrr",
    "is_qpv": "qpv",
    "caf": "Caf",
    "__all__": "ligne",
    "NON_FIELD_ERRORS": "ligne",
}


def _line_errors(result):
    """(line of the file, [French messages]); the file's line = data row + 1 (the headers)."""
    lines = []
    for invalid in result.invalid_rows:
        messages = []
        for field, errors in invalid.error_dict.items():
            label = LABELS.get(field, field)
            messages += [f"{label} : {message}" for message in errors]
        lines.append((invalid.number + 1, messages))
    for number, errors in result.row_errors():
        lines.append((number + 1, [f"ligne illisible ({error.error})" for error in errors]))
    for error in result.base_errors:
        lines.append((0, [str(error.error)]))
    return sorted(lines)


def _preview(result):
    rows = []
    for row in result.valid_rows():
        instance, original = row.instance, row.original
        changes = []
        if row.import_type == row.IMPORT_TYPE_UPDATE and original is not None:
            for field in CommuneResource.Meta.fields:
                before, after = getattr(original, field), getattr(instance, field)
                if before != after:
                    changes.append((LABELS[field], _shown(before), _shown(after)))
        rows.append(
            {
                "kind": row.import_type,
                "insee_code": instance.insee_code if instance else "",
                "name": instance.name if instance else "",
                "changes": changes,
            }
        )
    return rows


def _shown(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None or value == "":
        return "—"
    return str(value)


def check(dataset, *, caf, territories):
    """Dry run: (line errors, preview rows, totals); nothing is written."""
    resource = CommuneResource(caf=caf, territories=territories)
    result = resource.import_data(
        dataset,
        dry_run=True,
        use_transactions=True,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,
    )
    totals = {kind: result.totals.get(kind, 0) for kind in ("new", "update", "skip")}
    return _line_errors(result), _preview(result), totals


def run(dataset, *, caf, territories):
    """The real import, all or nothing: returns the totals, raises ValidationError if a line is
    wrong now (the file is checked again: the data may have changed since the preview)."""
    resource = CommuneResource(caf=caf, territories=territories)
    result = resource.import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    errors = _line_errors(result)
    if errors:
        raise ValidationError(
            [f"Ligne {line} : {' ; '.join(messages)}" for line, messages in errors]
        )
    return {kind: result.totals.get(kind, 0) for kind in ("new", "update", "skip")}


TEMPLATE_ROWS = [
    COLUMNS,
    ("42218", "Saint-Étienne", "42000", "Saint-Étienne Métropole", "non", "non", "oui"),
    ("42147", "Montbrison", "42600", "Loire Forez Agglomération", "0", "0", ""),
    ("42226", "Saint-Georges-en-Couzan", "42990", "Loire Forez Agglomération", "x", "x", ""),
]


def template_csv():
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(TEMPLATE_ROWS)
    return "\ufeff" + out.getvalue()
