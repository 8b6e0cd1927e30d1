"""What every spreadsheet export shares: cells a spreadsheet cannot run as a formula, the CSV
dialect French spreadsheets read, and the builders of background exports, each registered by the
app that owns its data (committee's ExportJob and its Celery task run them)."""

import csv
import io
from decimal import Decimal

# Issue 14 item 4 (OWASP "CSV injection"): Excel, LibreOffice and Google Sheets read a cell that
# starts with one of these as a formula; some fold the full-width forms to ASCII before parsing.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Leading spaces do not stop every spreadsheet from reading the formula behind them.
_BLANKS = " \u00a0\u3000"


def safe_cell(value):
    """A text cell that a spreadsheet would read as a formula comes back prefixed with `'`, so it
    stays text; numbers, dates and empty cells come back unchanged (a negative amount stays a
    number)."""
    if isinstance(value, str) and value.lstrip(_BLANKS)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]


def _csv_value(value):
    # French spreadsheets expect a decimal comma: 984,16 is read as a number, 984.16 as text.
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return value


def csv_bytes(rows) -> bytes:
    """The rows (headers first) as the CSV French spreadsheets open: ';', UTF-8 with its BOM,
    every text cell made safe. `rows` may be a generator: it is written as it comes."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([_csv_value(value) for value in safe_row(row)])
    return buffer.getvalue().encode("utf-8")


# --- Background exports ------------------------------------------------------------------------

_BUILDERS = {}


def register(*kinds):
    """Declare the function that builds the file of an export job of these kinds:
    `build(job, progress) -> (content bytes, file name)`, where `progress(percent)` (or
    `progress(percent, rows_done, rows_total)`, see `counted`) is saved on the job for its status
    page. The owning app imports its builders from its AppConfig.ready()."""

    def decorator(build):
        for kind in kinds:
            _BUILDERS[str(kind)] = build
        return build

    return decorator


def builder(kind):
    try:
        return _BUILDERS[str(kind)]
    except KeyError:
        raise LookupError(f"Aucun export de type {kind} n'est déclaré.") from None


# --- Progress of a long export -----------------------------------------------------------------

PROGRESS_STEPS = 20


def counted(rows, total, progress, *, start=10, end=90, steps=PROGRESS_STEPS):
    """Yield `rows`, telling `progress(percent, done, total)` each time another `1/steps` of the
    `total` rows is done: at most `steps` saves whatever the number of rows (20 000 payments cost
    the job as many writes as 40), the percent going from `start` to `end`."""
    next_mark = 1
    done = 0
    for done, row in enumerate(rows, start=1):
        yield row
        if total and done * steps >= next_mark * total:
            next_mark = done * steps // total + 1
            done_so_far = min(done, total)
            progress(start + (end - start) * done_so_far // total, done_so_far, total)
    if done < total:  # fewer rows than counted (deleted meanwhile): the job still ends complete
        progress(end, done, done)
