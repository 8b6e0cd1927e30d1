"""The convention and its amendments as PDFs (WeasyPrint).

The articles come from the Caf's own text (`ConventionPolicy.template`), rendered by a separate
Django template engine with no extra tag library and only plain values in its context (no model
object, so no method call reaches the database), and WeasyPrint fetches nothing from outside.
The parties, the table of years, the barème and the signature page are the portal's."""

from django.core.files.base import ContentFile
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from clasportal.formatting import format_euros

from .models import ConventionPolicy
from .models.conventions import DEFAULT_TEMPLATE

SANDBOX = Engine(debug=False, libraries={}, autoescape=True)


def _no_fetch(url, *args, **kwargs):
    raise ValueError("Aucune ressource externe dans une convention.")


def template_error(text):
    """A French message when the Caf's text cannot be rendered, else None."""
    try:
        SANDBOX.from_string(text).render(Context(_sample()))
    except TemplateSyntaxError as exc:
        return f"Le texte contient une erreur de gabarit : {exc}"
    except Exception:  # noqa: BLE001 — whatever it is, the text is refused, never a 500
        return "Le texte ne peut pas être mis en forme : vérifiez les variables {{ … }}."
    return None


def _sample():
    return {
        "caf": "Caf",
        "carrier": "Porteur",
        "start": "01/09/2026",
        "end": "31/08/2029",
        "years": 3,
        "number": "CLAS-000",
    }


def _articles(convention):
    policy = ConventionPolicy.of(convention.caf)
    values = {
        "caf": convention.caf.name,
        "carrier": convention.carrier.legal_name,
        "start": convention.start.strftime("%d/%m/%Y"),
        "end": convention.end.strftime("%d/%m/%Y"),
        "years": convention.years,
        "number": convention.number,
    }
    for text in (policy.template, DEFAULT_TEMPLATE):
        try:
            return SANDBOX.from_string(text).render(Context(values))
        except Exception:  # noqa: BLE001, S112 — a broken Caf text falls back to the default
            continue
    return ""


def _baremes(years):
    from funding.models import Bareme

    return {b.year: b for b in Bareme.objects.filter(year__in=years)}


def convention_context(convention):
    lines = list(
        convention.lines.select_related("origin", "project", "campaign").order_by("index", "origin")
    )
    calendar_years = [convention.start_year + i for i in range(convention.years)]
    baremes = _baremes(calendar_years)
    years = []
    for index, year in enumerate(calendar_years, start=1):
        rows = [line for line in lines if line.index == index]
        bareme = baremes.get(year)
        years.append(
            {
                "index": index,
                "school_year": f"{year}/{year + 1}",
                "rows": rows,
                "collectives": sum(r.agreed_collectives for r in rows),
                "bareme": bareme,
                "max_ps": format_euros(bareme.max_ps_per_collective) if bareme else None,
            }
        )
    from funding.models import CafPolicy

    policy = CafPolicy.of(convention.caf)
    return {
        "convention": convention,
        "caf": convention.caf,
        "carrier": convention.carrier,
        "years": years,
        "articles": _articles(convention),
        "first_rate": int(policy.first_advance_rate * 100),
        "second_rate": int(policy.second_advance_rate * 100),
        "amendments": list(convention.amendments.all()),
        "today": timezone.localdate(),
    }


def convention_pdf(convention) -> bytes:
    html = render_to_string("projects/convention_pdf.html", convention_context(convention))
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def amendment_pdf(amendment) -> bytes:
    convention = amendment.convention
    html = render_to_string(
        "projects/amendment_pdf.html",
        {
            "amendment": amendment,
            "convention": convention,
            "caf": convention.caf,
            "carrier": convention.carrier,
            "changes": [_change_row(name, value) for name, value in amendment.changes.items()],
            "today": timezone.localdate(),
        },
    )
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _change_row(name, value):
    def text(v):
        if v is None or v == []:
            return "—"
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)

    labels = {"years": "durée (années scolaires)", "ended_on": "fin anticipée"}
    label = labels.get(name, "années retirées" if name == "dropped_years" else name)
    if isinstance(value, list) and len(value) == 2 and name != "dropped_years":
        return (label, text(value[0]), text(value[1]))
    return (label, "", text(value))


def attach_amendment_pdf(amendment):
    amendment.pdf.save(
        f"avenant-{amendment.convention.number}-{amendment.number}.pdf",
        ContentFile(amendment_pdf(amendment)),
        save=False,
    )
    amendment.save(update_fields=["pdf"])
    return amendment.pdf
