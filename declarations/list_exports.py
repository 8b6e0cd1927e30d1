"""Staff exports of the working lists — projects, their collectives, declarations — as CSV or
XLSX, built by a background job with the filters the person had on the list, so the file holds
what the list showed (and only what its author may still see when the job runs)."""

import io
from itertools import chain

from django.db import connection
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from openpyxl import Workbook

from clasportal.exports import counted, csv_bytes, register, safe_row
from clasportal.rules import can
from committee.models import ExportJob
from projects.filters import ProjectFilter
from projects.models import Collective, Project

from .consequences import retained
from .models import Declaration

PROJECT_FILTERS = ("q", "status", "situation", "campaign")
DECLARATION_FILTERS = ("status", "kind", "territory", "findings", "late")


def kept_filters(what, params):
    """The list's filters worth keeping on the job (short strings only)."""
    names = DECLARATION_FILTERS if what == "declarations" else PROJECT_FILTERS
    return {name: str(params[name])[:100] for name in names if params.get(name) not in (None, "")}


def with_finding(declarations, severity):
    if connection.features.supports_json_field_contains:
        return declarations.filter(findings__contains=[{"severity": severity}])
    # SQLite (the demo database) has no JSON containment: only ids leave the database there.
    ids = [
        pk
        for pk, found in declarations.values_list("pk", "findings")
        if any(f.get("severity") == severity for f in found or [])
    ]
    return declarations.filter(pk__in=ids)


def filter_declarations(declarations, params):
    """The declarations queue's filters, shared by the page and its export."""
    # Archived campaigns are out of the working list.
    declarations = declarations.filter(project__campaign__archived_at__isnull=True)
    if params.get("status") in Declaration.Status.values:
        declarations = declarations.filter(status=params["status"])
    else:
        declarations = declarations.exclude(status=Declaration.Status.DRAFT)
    if params.get("kind") in Declaration.Kind.values:
        declarations = declarations.filter(kind=params["kind"])
    territory = params.get("territory", "")
    if territory.isascii() and territory.isdigit():
        declarations = declarations.filter(project__carrier__commune__territory_id=int(territory))
    if params.get("findings") == "any":
        declarations = declarations.exclude(findings=[])
    elif params.get("findings") in ("error", "warning"):
        declarations = with_finding(declarations, params["findings"])
    if params.get("late") == "1":
        declarations = declarations.filter(late=True)
    return declarations


def _projects(user, filters):
    projects = Project.objects.visible_to(user).for_list().order_by("campaign__year", "title", "pk")
    return ProjectFilter(filters, queryset=projects, user=user).qs


PROJECT_HEADERS = [
    "Référence",
    "Campagne",
    "Porteur",
    "SIRET",
    "Territoire",
    "Projet",
    "Situation",
    "Statut",
    "Collectifs",
    "Enfants prévus",
    "Déposé le",
    # Issue 17: what the committee retained (the first collectives of the request).
    "Collectifs retenus",
    "Enfants retenus",
]
COLLECTIVE_HEADERS = [
    "Projet",
    "Porteur",
    "Campagne",
    "Statut du projet",
    "Collectif",
    "Niveau",
    "Commune",
    "Code INSEE",
    "Milieu rural",
    "Enfants prévus",
    "Semaines prévues",
    "Séances par semaine",
    "Durée d'une séance (min)",
    "Retenu par le comité",
]
DECLARATION_HEADERS = [
    "Projet",
    "Porteur",
    "Campagne",
    "Nature",
    "Statut",
    "Collectifs",
    "Semaines",
    "Enfants",
    "Droit",
    "À transmettre avant le",
    "Transmise le",
    "Validée le",
    # Issue 17: the figures the right is computed on, once the GC's rejections apply.
    "Collectifs retenus",
    "Enfants retenus",
]


def _date(value):
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


def project_rows(user, filters, progress):
    projects = _projects(user, filters)
    total = projects.count()
    children = Prefetch(
        "collectives",
        queryset=Collective.objects.order_by("pk").only("pk", "project_id", "planned_children"),
        to_attr="ordered_collectives",
    )
    for p in counted(projects.prefetch_related(children).iterator(chunk_size=500), total, progress):
        territory = p.carrier.commune.territory
        retained = p.ordered_collectives[: p.agreed_collectives or 0]
        yield [
            f"P-{p.pk:06d}",
            p.campaign.school_year,
            p.carrier.legal_name,
            p.carrier.siret,
            territory.name if territory else "",
            p.title,
            p.get_situation_display(),
            p.get_status_display(),
            p.collectives_count,
            p.children_planned or 0,
            _date(p.submitted_at),
            p.agreed_collectives if p.agreed_collectives else "",
            sum(c.planned_children for c in retained) if p.agreed_collectives else "",
        ]


def collective_rows(user, filters, progress):
    projects = _projects(user, filters).values("pk")
    collectives = (
        Collective.objects.filter(project__in=projects)
        .select_related("project__carrier", "project__campaign", "commune")
        .annotate(rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=F("pk").asc()))
        .order_by("project__campaign__year", "project__title", "name", "pk")
    )
    total = collectives.count()
    for c in counted(collectives.iterator(chunk_size=500), total, progress):
        yield [
            c.project.title,
            c.project.carrier.legal_name,
            c.project.campaign.school_year,
            c.project.get_status_display(),
            c.name,
            c.get_school_level_display(),
            c.commune.name,
            c.commune.insee_code,
            "oui" if c.is_rural else "non",
            c.planned_children,
            c.planned_weeks,
            c.sessions_per_week,
            c.session_minutes,
            ("oui" if c.rank <= c.project.agreed_collectives else "non")
            if c.project.agreed_collectives
            else "",
        ]


def declaration_rows(user, filters, progress):
    declarations = (
        Declaration.objects.visible_to(user)
        .with_lateness(timezone.localdate())
        .select_related("project__carrier", "project__campaign")
        .prefetch_related("justifications", "lines")
        .order_by("project__campaign__year", "project__title", "kind", "pk")
    )
    declarations = filter_declarations(declarations, filters)
    total = declarations.count()
    for d in counted(declarations.iterator(chunk_size=500), total, progress):
        kept = retained(d)
        yield [
            d.project.title,
            d.project.carrier.legal_name,
            d.project.campaign.school_year,
            d.get_kind_display(),
            d.get_status_display(),
            d.collectives,
            d.weeks,
            sum(int(c or 0) for c in d.children or []),
            d.right,
            _date(d.due_on),
            _date(d.submitted_at),
            _date(d.validated_at),
            kept.collectives,
            sum(kept.children),
        ]


LISTS = {
    "projets": ("projects", PROJECT_HEADERS, project_rows, "Projets"),
    "collectifs": ("projects", COLLECTIVE_HEADERS, collective_rows, "Collectifs"),
    "declarations": ("declarations", DECLARATION_HEADERS, declaration_rows, "Déclarations"),
}
KINDS = {
    ("projets", "csv"): ExportJob.Kind.PROJECTS_CSV,
    ("projets", "xlsx"): ExportJob.Kind.PROJECTS_XLSX,
    ("collectifs", "csv"): ExportJob.Kind.COLLECTIVES_CSV,
    ("collectifs", "xlsx"): ExportJob.Kind.COLLECTIVES_XLSX,
    ("declarations", "csv"): ExportJob.Kind.DECLARATIONS_CSV,
    ("declarations", "xlsx"): ExportJob.Kind.DECLARATIONS_XLSX,
}
LIST_OF_KIND = {kind: key for key, kind in KINDS.items()}


def _build(job, progress):
    what, fmt = LIST_OF_KIND[job.kind]
    _, headers, rows, title = LISTS[what]
    user = job.created_by
    allowed = user is not None and can(user, "declarations.export_lists")
    data = rows(user, job.filters, progress) if allowed else iter(())
    progress(10)
    name = f"{what}-clas.{fmt}"
    if fmt == "csv":
        return csv_bytes(chain([headers], data)), name
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(safe_row(headers))
    for row in data:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), name


register(*ExportJob.LIST_KINDS)(_build)
