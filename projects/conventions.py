"""Multi-year conventions (COF): the length a request may ask, the convention the committee agrees,
the continuing years a carrier files without committee (and their adjustments), amendments, and
renewal. Every change is traced (history on the models, `ProjectEvent` through `workflow.record`);
money is computed only through `completeness.request_case` → `funding.inputs.build_case`."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from clasportal.formatting import format_euros
from clasportal.rules import can

from .models import (
    Amendment,
    BudgetLine,
    Convention,
    ConventionPolicy,
    ConventionYear,
    Project,
    ProjectStatus,
    Situation,
)

S = ProjectStatus
ZERO = Decimal("0")


class ConventionError(Exception):
    """A refused convention action, with a French message naming the rule."""

    def __init__(self, message, items=()):
        super().__init__(message)
        self.message = message
        self.items = list(items)


def school_year_of(day):
    """The school year N (1 September N – 31 August N+1) that `day` belongs to."""
    return day.year if day.month >= 9 else day.year - 1


# --- What a request may ask --------------------------------------------------------------------


def prior_funded_years(carrier, before_year):
    """School years before `before_year` in which the Caf funded (agreed) this carrier."""
    return (
        carrier.projects.filter(status=S.APPROVED, campaign__year__lt=before_year)
        .values("campaign__year")
        .distinct()
        .count()
    )


def max_length(carrier, year, *, ctg_aligned=False, policy=None):
    """The longest convention this carrier may ask for school year `year`, and the rule why."""
    policy = policy or ConventionPolicy.of(carrier.caf)
    if carrier.social_centre_until:
        # Up to the agrément's end: the last school year must end before it.
        last = carrier.social_centre_until.year - (
            1
            if carrier.social_centre_until < datetime.date(carrier.social_centre_until.year, 8, 31)
            else 0
        )
        years = max(1, min(policy.max_years_social_centre, last - year))
        return years, (
            f"centre social : jusqu'à {policy.max_years_social_centre} ans, dans la limite de son "
            f"agrément (valable jusqu'au {carrier.social_centre_until:%d/%m/%Y})"
        )
    prior = prior_funded_years(carrier, year)
    if prior < policy.min_prior_years:
        return 1, (
            f"une première convention est annuelle : une COF pluriannuelle demande au moins "
            f"{policy.min_prior_years} années de financement par la Caf ({prior} à ce jour)"
        )
    if ctg_aligned and policy.allow_ctg_alignment:
        return 5, "alignement sur la convention territoriale globale (CTG) : jusqu'à 5 ans"
    return policy.max_years_cof, (
        f"COF pluriannuelle : {policy.max_years_cof} ans au plus pour un porteur soutenu "
        f"depuis au moins {policy.min_prior_years} ans"
    )


def length_errors(project, *, years=None, reason=None, ctg_aligned=None):
    """The request's convention length against the Caf's rules (empty when it is allowed)."""
    years = project.convention_years if years is None else years
    reason = project.convention_reason if reason is None else reason
    ctg_aligned = project.ctg_aligned if ctg_aligned is None else ctg_aligned
    policy = ConventionPolicy.of(project.campaign.caf)
    errors = []
    if not 1 <= years <= 5:
        return ["La durée d'une convention est de 1 à 5 années scolaires."]
    maximum, rule = max_length(project.carrier, project.campaign.year, ctg_aligned=ctg_aligned)
    if years > maximum:
        errors.append(f"Durée refusée : {years} ans demandés, {maximum} au plus ({rule}).")
    if ctg_aligned and not policy.allow_ctg_alignment:
        errors.append("La Caf n'autorise pas l'alignement de la convention sur la CTG.")
    if ctg_aligned and not reason.strip():
        errors.append("Un alignement sur la CTG doit être motivé : indiquez la CTG et sa durée.")
    if years > 1 and not reason.strip():
        errors.append("Justifiez la durée pluriannuelle demandée.")
    if (
        policy.mandatory_for_continuing
        and years == 1
        and maximum > 1
        and project.situation == Situation.RENEWAL
    ):
        errors.append(
            "La Caf conventionne les porteurs déjà financés en pluriannuel : demandez une durée "
            "de 2 ans au moins."
        )
    return errors


def budget_totals(lines):
    charges = sum((Decimal(a) for acc, _f, a in lines if acc.startswith(("6", "86"))), ZERO)
    products = sum((Decimal(a) for acc, _f, a in lines if not acc.startswith(("6", "86"))), ZERO)
    return charges, products


def budget_error(lines, label):
    """A following year's budget must balance (CERFA: total charges = total products)."""
    try:
        charges, products = budget_totals(lines)
    except (InvalidOperation, TypeError, ValueError):
        return f"{label} : montants illisibles."
    if not charges:
        return f"{label} : indiquez les charges prévues."
    if charges != products:
        return (
            f"{label} : le budget n'est pas équilibré (charges {format_euros(charges)}, "
            f"produits {format_euros(products)}) ; le total des charges doit égaler celui des "
            "produits."
        )
    return None


def following_budget_errors(project):
    errors = []
    budgets = project.following_budgets or []
    for index in range(2, project.convention_years + 1):
        lines = budgets[index - 2] if len(budgets) >= index - 1 else []
        error = budget_error(lines, f"Budget de l'année {index}/{project.convention_years}")
        if error:
            errors.append(error)
    return errors


def request_errors(project):
    """What the convention step still lacks (used by the deposit's completeness check)."""
    if project.convention_id or project.situation == Situation.CONTINUING:
        return []
    return length_errors(project) + following_budget_errors(project)


# --- The committee agrees a convention ---------------------------------------------------------


def running_for(carrier, year):
    """The carrier's convention that covers school year `year`, if any."""
    for convention in carrier.conventions.exclude(status=Convention.Status.ENDED).filter(
        start_year__lte=year
    ):
        if convention.index_of(year):
            return convention
    return None


def _next_number(caf, year):
    count = caf.conventions.filter(start_year=year).count()
    return f"CLAS-{caf.number}-{year}-{count + 1:03d}"


def _figures(project, retained=None):
    # The committee's retained collectives: the first ones of the request (issue 17).
    collectives = list(project.collectives.order_by("pk"))[:retained]
    starts = [c.start_date for c in collectives if c.start_date]
    return {
        "children": sum(c.planned_children for c in collectives),
        "weeks": min((c.planned_weeks for c in collectives), default=0),
        "start": min(starts) if starts else None,
    }


def _shift(day, years):
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def agree(project, *, by, collectives, amount=None, computation=None, years=None):
    """The committee approved `project`: the carrier's convention gets (or is created with) its
    years for this project, year 1 decided, the following years agreed on the same figures."""
    from . import workflow

    campaign = project.campaign
    convention = running_for(project.carrier, campaign.year)
    years = years or project.convention_years or 1
    if convention is None:
        convention = Convention.objects.create(
            caf=campaign.caf,
            carrier=project.carrier,
            number=_next_number(campaign.caf, campaign.year),
            start_year=campaign.year,
            years=years,
            ctg_aligned=project.ctg_aligned,
            reason=project.convention_reason,
            created_from=project,
            created_by=by,
        )
        workflow.record(
            convention,
            by=by,
            action="convention_created",
            note=f"{convention.number} : {convention.label_for(campaign.year)}, du "
            f"{convention.start:%d/%m/%Y} au {convention.end:%d/%m/%Y}",
            data={"years": years, "project": project.pk},
        )
    index = convention.index_of(campaign.year)
    figures = _figures(project, collectives)
    budgets = project.following_budgets or []
    ConventionYear.objects.filter(origin=project).delete()  # a revised decision starts again
    for i in range(index, convention.years + 1):
        following = i - index
        ConventionYear.objects.create(
            convention=convention,
            origin=project,
            index=i,
            campaign=campaign if i == index else None,
            project=project if i == index else None,
            agreed_collectives=collectives,
            agreed_children=figures["children"],
            agreed_weeks=figures["weeks"],
            agreed_start=_shift(figures["start"], following),
            forecast_budget=budgets[following - 1] if 0 < following <= len(budgets) else [],
            decided_amount=amount if i == index else None,
            computation=computation if i == index else None,
        )
    Project.objects.filter(pk=project.pk).update(convention=convention)
    project.convention = convention
    return convention


@transaction.atomic
def withdraw(project, *, by):
    """A decision revised to a refusal or an adjournment takes the project's years back."""
    from . import workflow

    lines = ConventionYear.objects.filter(origin=project)
    if not lines.exists():
        return
    convention = lines.first().convention
    lines.delete()
    Project.objects.filter(pk=project.pk).update(convention=None)
    if not convention.lines.exists() and not convention.amendments.exists():
        workflow.record(
            convention,
            by=by,
            action="convention_withdrawn",
            note=f"{convention.number} retirée : décision revue",
        )
        convention.delete()


def label_for_length(years):
    """ "annuelle" or "pluriannuelle (année 1/4)", for an agrément list or a decision letter."""
    years = years or 1
    return f"pluriannuelle (année 1/{years})" if years > 1 else "annuelle"


# --- Continuing years ---------------------------------------------------------------------------


def years_to_enter(carrier, campaign):
    """Convention lines of `carrier` due in `campaign` (school year) that have no project yet."""
    lines = ConventionYear.objects.filter(
        convention__carrier=carrier, project__isnull=True
    ).select_related("convention", "origin")
    return [line for line in lines if line.convention.is_running and line.year == campaign.year]


def dashboard(user, carriers, campaigns):
    """For the carrier's dashboard: its running conventions (with the current year) and the
    years to enter in the open campaigns."""
    from django.db.models import Prefetch

    running = list(
        Convention.objects.visible_to(user)
        .exclude(status=Convention.Status.ENDED)
        .select_related("carrier")
        .prefetch_related(Prefetch("lines", queryset=ConventionYear.objects.order_by("index")))
    )
    year = school_year_of(timezone.localdate())
    for convention in running:
        convention.current_index = convention.index_of(year)
    return {"conventions": running, "years_due": due_lines(carriers, campaigns)}


def due_lines(carriers, campaigns):
    """For a carrier's dashboard: (line, campaign) pairs to enter now."""
    due = []
    for carrier in carriers:
        for campaign in campaigns:
            if campaign.caf_id != carrier.caf_id:
                continue
            due.extend((line, campaign) for line in years_to_enter(carrier, campaign))
    return due


@transaction.atomic
def start_year(line_id, *, campaign, by):
    """The carrier opens its convention's year in `campaign`: a continuing project prefilled from
    the previous year (and the budget entered for that year at the request)."""
    from . import workflow
    from .services import create_draft

    try:
        line = (
            ConventionYear.objects.visible_to(by)
            .select_for_update(of=("self",))
            .select_related("convention__carrier", "origin")
            .get(pk=line_id)
        )
    except ConventionYear.DoesNotExist:
        raise ConventionError("Cette année de convention est introuvable.") from None
    convention = line.convention
    if not can(by, "projects.enter_convention_year", convention):
        raise ConventionError("Seul le porteur saisit les données de son année de convention.")
    if not convention.is_running:
        raise ConventionError("Cette convention est terminée : déposez une nouvelle demande.")
    if line.project_id:
        raise ConventionError("Les données de cette année sont déjà en cours de saisie.")
    if campaign.caf_id != convention.caf_id or line.year != campaign.year:
        raise ConventionError(
            f"L'année {line.index}/{convention.years} de la convention correspond à l'année "
            f"scolaire {line.school_year}, pas à la campagne {campaign.school_year}."
        )
    previous = (
        ConventionYear.objects.filter(
            origin=line.origin, index__lt=line.index, project__isnull=False
        )
        .order_by("-index")
        .select_related("project")
        .first()
    )
    source = previous.project if previous else line.origin
    project = create_draft(
        carrier=convention.carrier,
        campaign=campaign,
        situation=Situation.CONTINUING,
        title=source.title,
        previous=source,
        by=by,
    )
    if line.forecast_budget:
        project.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, account=a, financer=f, amount=Decimal(amount))
            for a, f, amount in line.forecast_budget
        )
    project.convention = convention
    project.convention_years = convention.years
    project.save(update_fields=["convention", "convention_years"])
    line.project = project
    line.campaign = campaign
    line.save(update_fields=["project", "campaign"])
    workflow.record(
        project,
        by=by,
        action="convention_year_started",
        note=f"Année {line.index}/{convention.years} de la convention {convention.number}",
    )
    return project


CHANGE_LABELS = {
    "collectives": "nombre de collectifs",
    "children": "enfants inscrits",
    "weeks": "nombre de semaines",
    "start": "date de démarrage",
}


def year_changes(project):
    """The year's forecast against the agreed figures: the changes the Caf must validate."""
    line = project.convention_year
    figures = _figures(project)
    declared = {
        "collectives": project.collectives.count(),
        "children": figures["children"],
        "weeks": figures["weeks"],
        "start": figures["start"],
    }
    agreed = {
        "collectives": line.agreed_collectives,
        "children": line.agreed_children,
        "weeks": line.agreed_weeks,
        "start": line.agreed_start,
    }
    changes = []
    for key, label in CHANGE_LABELS.items():
        if agreed[key] is None or declared[key] == agreed[key]:
            continue
        changes.append(
            {
                "field": key,
                "label": label,
                "agreed": _plain(agreed[key]),
                "declared": _plain(declared[key]),
            }
        )
    return changes


def _plain(value):
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def _decide_funding(project, line, *, collectives, by):
    """That year's amount, with that year's barème, through the one engine path."""
    from funding.services import store_computation

    from .completeness import request_case

    computation = store_computation(
        data=request_case(
            project,
            collectives=collectives,
            bonus_children=project.bonus_children_granted,
            bonus_parents=project.bonus_parents_granted,
        ),
        kind="forecast",
        project=project,
        by=by,
        is_decision=True,
    )
    forecast = computation.result["forecast"]
    amount = (
        Decimal(forecast["ps"])
        + Decimal(forecast["bonus_children"])
        + Decimal(forecast["bonus_parents"])
    )
    line.decided_amount = amount
    line.computation = computation
    line.agreed_collectives = collectives
    line.save(update_fields=["decided_amount", "computation", "agreed_collectives"])
    return amount


def _granted_bonuses(line):
    """The bonuses the committee retained for the convention's first year of this project."""
    origin = line.origin
    return origin.bonus_children_granted, origin.bonus_parents_granted


@transaction.atomic
def submit_year(project, *, by, found):
    """A continuing year: no review, no committee. Without changes it is agreed at once (the
    forecast declaration follows, for the GC); with changes it waits for the advisor."""
    from . import workflow

    line = project.convention_year
    convention = line.convention
    if not convention.is_running:
        raise workflow.TransitionError("Cette convention est terminée : aucune année à saisir.")
    if not convention.index_of(project.campaign.year):
        raise workflow.TransitionError(
            f"La campagne {project.campaign.school_year} est hors de la convention "
            f"{convention.number} (du {convention.start:%d/%m/%Y} au {convention.end:%d/%m/%Y})."
        )
    changes = year_changes(project)
    children, parents = _granted_bonuses(line)
    common = {
        "submitted_at": timezone.now(),
        "submitted_by": by,
        "reopened_sections": [],
        "findings": [f.as_dict() for f in found],
        "has_findings": bool(found),
        "changes_to_validate": changes,
        "bonus_children_granted": children and project.bonus_children_requested,
        "bonus_parents_granted": parents and project.bonus_parents_requested,
    }
    label = f"Année {line.index}/{convention.years} de la convention {convention.number}"
    if changes:
        return workflow.fire(
            project.pk,
            "submit_adjustment",
            by=by,
            note=f"{label} : ajustement — "
            + "; ".join(f"{c['label']} {c['agreed']} → {c['declared']}" for c in changes),
            data={"changes": changes},
            **common,
        )
    project = workflow.fire(
        project.pk,
        "confirm_year",
        by=by,
        note=f"{label} : données prévisionnelles conformes à la convention",
        agreed_collectives=line.agreed_collectives,
        **common,
    )
    amount = _decide_funding(project, line, collectives=line.agreed_collectives, by=by)
    workflow.record(
        project,
        by=by,
        action="convention_year_funded",
        note=f"{label} : {format_euros(amount)} (barème {project.campaign.year})",
        data={"amount": str(amount), "year": project.campaign.year},
    )
    return project


@transaction.atomic
def decide_adjustment(project_id, *, by, accept, note=""):
    """The advisor validates the year's changes (they become the agreed figures) or refuses them
    (the carrier corrects its forecast); both traced."""
    from . import workflow

    project = workflow.PROJECT.lock(project_id, by)
    line = getattr(project, "convention_year", None)
    if line is None or project.status != S.ADJUSTMENT:
        raise workflow.TransitionError("Aucun ajustement n'attend la Caf sur ce projet.")
    if not note.strip() and not accept:
        raise workflow.TransitionError("Un refus d'ajustement doit être motivé.")
    if not line.convention.is_running:
        raise workflow.TransitionError(
            "Cette convention est terminée : l'ajustement est hors de ses années."
        )
    changes = project.changes_to_validate or []
    if not accept:
        return workflow.fire(
            project_id,
            "refuse_adjustment",
            by=by,
            note=note,
            data={"changes": changes},
            reopened_sections=["collectifs", "budget"],
        )
    collectives = project.collectives.count()
    figures = _figures(project)
    project = workflow.fire(
        project_id,
        "validate_adjustment",
        by=by,
        note=note or "Ajustement validé",
        data={"changes": changes},
        agreed_collectives=collectives,
    )
    line.agreed_children = figures["children"]
    line.agreed_weeks = figures["weeks"]
    line.agreed_start = figures["start"]
    line._change_reason = f"Ajustement validé par {by}"
    line.save(update_fields=["agreed_children", "agreed_weeks", "agreed_start"])
    # The validated figures are the agreed ones of the years to come of the same project.
    for later in ConventionYear.objects.filter(
        origin_id=line.origin_id, index__gt=line.index, project__isnull=True
    ):
        later.agreed_collectives = collectives
        later.agreed_children = figures["children"]
        later.agreed_weeks = figures["weeks"]
        later.agreed_start = _shift(figures["start"], later.index - line.index)
        later._change_reason = f"Ajustement de l'année {line.index} validé par {by}"
        later.save()
    amount = _decide_funding(project, line, collectives=collectives, by=by)
    workflow.record(
        project,
        by=by,
        action="convention_year_funded",
        note=f"Année {line.index}/{line.convention.years} : {format_euros(amount)} "
        f"(barème {project.campaign.year})",
        data={"amount": str(amount), "year": project.campaign.year},
    )
    return project


# --- Amendments ---------------------------------------------------------------------------------


@transaction.atomic
def amend(convention_id, *, by, date, reason, collectives=None, years=None, end_early=False):
    """An avenant: new collectives for the years to come, a new length, or an early end."""
    from . import workflow
    from .convention_pdf import attach_amendment_pdf

    try:
        convention = (
            Convention.objects.visible_to(by).select_for_update(of=("self",)).get(pk=convention_id)
        )
    except Convention.DoesNotExist:
        raise ConventionError("Convention introuvable.") from None
    if not can(by, "projects.amend_convention", convention):
        raise ConventionError("Votre rôle ne permet pas de modifier une convention.")
    if not convention.is_running:
        raise ConventionError(
            "Un avenant ne modifie qu'une convention en cours : celle-ci est terminée."
        )
    if not reason.strip():
        raise ConventionError("Un avenant doit être motivé.")
    if not convention.start <= date <= convention.end:
        raise ConventionError(
            f"La date d'effet doit être dans la convention (du {convention.start:%d/%m/%Y} au "
            f"{convention.end:%d/%m/%Y})."
        )
    changes = {}
    effective_year = school_year_of(date)
    future = convention.lines.filter(index__gte=convention.index_of(effective_year) or 1)
    if end_early:
        last = convention.index_of(effective_year)
        changes["years"] = [convention.years, last]
        changes["ended_on"] = [None, date.strftime("%d/%m/%Y")]
        dropped = convention.lines.filter(index__gt=last, project__isnull=True)
        changes["dropped_years"] = sorted({line.index for line in dropped})
        dropped.delete()
        convention.years = last
        convention.ended_on = date
        convention.status = Convention.Status.ENDED
    else:
        if years is not None and years != convention.years:
            policy = ConventionPolicy.of(convention.caf)
            current = convention.index_of(effective_year)
            ceiling = (
                policy.max_years_social_centre
                if convention.carrier.social_centre_until
                else (5 if convention.ctg_aligned else policy.max_years_cof)
            )
            if not max(current, 1) <= years <= ceiling:
                raise ConventionError(
                    f"Durée refusée : entre {current} (année en cours) et {ceiling} ans selon les "
                    "règles de la Caf."
                )
            changes["years"] = [convention.years, years]
            if years < convention.years:
                convention.lines.filter(index__gt=years, project__isnull=True).delete()
            else:
                for origin_id in set(convention.lines.values_list("origin_id", flat=True)):
                    last = convention.lines.filter(origin_id=origin_id).order_by("-index").first()
                    for i in range(last.index + 1, years + 1):
                        ConventionYear.objects.create(
                            convention=convention,
                            origin_id=origin_id,
                            index=i,
                            agreed_collectives=last.agreed_collectives,
                            agreed_children=last.agreed_children,
                            agreed_weeks=last.agreed_weeks,
                            agreed_start=_shift(last.agreed_start, i - last.index),
                        )
            convention.years = years
        for line_id, count in (collectives or {}).items():
            line = future.filter(pk=line_id).first()
            if line is None:
                raise ConventionError(
                    "Un avenant ne change les collectifs que des années à venir de la convention."
                )
            if not 1 <= count <= 99:
                raise ConventionError("Le nombre de collectifs est compris entre 1 et 99.")
            if line.agreed_collectives != count:
                changes[f"collectifs année {line.index}"] = [line.agreed_collectives, count]
                # Later years of the same project follow the amended figure; the children
                # agreed per collective stay what they were.
                for target in future.filter(
                    origin_id=line.origin_id, index__gte=line.index, project__isnull=True
                ):
                    old = target.agreed_collectives or 1
                    target.agreed_children = target.agreed_children * count // old
                    target.agreed_collectives = count
                    target._change_reason = f"Avenant : {reason}"
                    target.save(update_fields=["agreed_collectives", "agreed_children"])
        if changes:
            convention.status = Convention.Status.AMENDED
    if not changes:
        raise ConventionError("Aucune modification : l'avenant ne change rien à la convention.")
    convention._change_reason = f"Avenant : {reason}"
    convention.save()
    amendment = Amendment.objects.create(
        convention=convention,
        number=convention.amendments.count() + 1,
        date=date,
        reason=reason,
        changes=changes,
        by=by,
    )
    workflow.record(
        convention,
        by=by,
        action="convention_amended",
        note=f"Avenant n° {amendment.number} : {reason}",
        data={"changes": changes},
    )
    attach_amendment_pdf(amendment)
    return amendment


@transaction.atomic
def record_signature(convention, *, by, signed_on, signed_copy=None):
    from . import workflow

    if signed_on > timezone.localdate():
        raise ConventionError("La date de signature ne peut pas être dans le futur.")
    before = convention.signed_on
    convention.signed_on = signed_on
    if signed_copy is not None:
        convention.signed_copy.save(
            f"convention-{convention.number}-signee.pdf", signed_copy, save=False
        )
    convention._change_reason = "Signature enregistrée"
    convention.save()
    workflow.record(
        convention,
        by=by,
        action="convention_signed",
        note=f"Signée le {signed_on:%d/%m/%Y}",
        data={"before": before.isoformat() if before else None, "after": signed_on.isoformat()},
    )
    return convention


# --- Renewal and the register -------------------------------------------------------------------


def situation_for(carrier, year):
    """The situation a carrier is in for school year `year` (Loire guide, situations 1–3)."""
    if running_for(carrier, year) is not None:
        return Situation.CONTINUING
    if carrier.projects.filter(status=S.APPROVED, campaign__year__lt=year).exists():
        return Situation.RENEWAL
    return Situation.NEW_CARRIER


def state_of(convention, today=None):
    """running / ending (last year: renewal due) / ended, for the register."""
    year = school_year_of(today or timezone.localdate())
    if not convention.is_running or convention.end_year < year:
        return "ended"
    if convention.end_year == year:
        return "ending"
    return "running"


STATES = {
    "running": "En cours",
    "ending": "Dernière année (renouvellement à prévoir)",
    "ended": "Terminée",
}
