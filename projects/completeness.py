"""What a request still lacks, its coherence findings and its simulated PS, for the review step."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.template.defaultfilters import pluralize

from funding.checks import (
    WARNING,
    CheckContext,
    DeclarationData,
    Finding,
    Policy,
    cofinancing_shortfall,
    run_checks,
)
from funding.inputs import DeclarationFigures, build_case, prorate_lines
from funding.models import CafPolicy

from .campaigns import documents_for, renewal_problems
from .models import ProjectStatus, Situation
from .steps import can_edit_section, steps_for

# Checks that later apps add to the deposit (e.g. the last bilan before a renewal, from the
# declarations app, registered in its AppConfig.ready): each takes the project and returns Missing.
DEPOSIT_CHECKS = []


@dataclass(frozen=True)
class Missing:
    step: str
    message: str


def policy_for(caf):
    policy = CafPolicy.of(caf)
    return Policy(
        min_weeks=policy.min_weeks,
        charges_variation=policy.charges_variation_threshold,
        budget_imbalance=policy.budget_imbalance_threshold,
        min_children=policy.min_children,
        min_children_rural=policy.min_children_rural,
        max_children=policy.max_children,
        sessions_per_week=policy.sessions_per_week,
        session_minutes=policy.session_minutes,
        sessions_per_week_rural=policy.sessions_per_week_rural,
        session_minutes_rural=policy.session_minutes_rural,
        staff_ratio_blocking=policy.staff_ratio_blocking,
        min_cofinancing_share=policy.min_cofinancing_share,
        one_level_per_request=policy.one_level_per_request,
    )


def sessions_text(policy, rural):
    """« 2 séances de 90 min au moins par semaine », from the Caf's policy."""
    sessions, minutes = policy.sessions_rule(rural)
    noun = "séance" if sessions == 1 else "séances"
    return f"{sessions} {noun} de {minutes} min au moins par semaine"


def staff_needed(collective, policy):
    """Referential: two intervenants per collective; one may do in a rural one under the
    Caf's minimum of children."""
    small = collective.planned_children < policy.min_children
    return 1 if collective.is_rural and small else 2


def staff_shortfall(collective, policy):
    needed = staff_needed(collective, policy)
    count = len(collective.intervenants.all())
    if count >= needed:
        return None
    return f"{collective.name} : {count} intervenant{pluralize(count)} déclaré{pluralize(count)}, il en faut au moins {needed}"


def levels_problem(collectives, policy):
    """One request per school level (when the Caf asks it): the levels found, or None."""
    levels = {c.school_level for c in collectives}
    if not policy.one_level_per_request or len(levels) <= 1:
        return None
    labels = sorted({c.get_school_level_display().lower() for c in collectives})
    return (
        "Votre Caf demande une demande par niveau scolaire : cette demande mêle "
        f"{' et '.join(labels)}. Déposez une demande par niveau."
    )


def cofinancing_problem(project, policy):
    """Products other than the Caf's PS (the 74 subsidy line of the Caf) against the charges."""
    from .budget import cofinancing_totals

    charges, others = cofinancing_totals(
        (line.account, line.financer, line.amount) for line in project.budget_lines.all()
    )
    return cofinancing_shortfall(policy, charges, others)


def engagements_of(project):
    """The attestations the project's Caf asks at deposit (its policy, national defaults)."""
    return CafPolicy.of(project.campaign.caf).engagement_list


# Documents other apps require of a request, registered at start-up (the committee: the summary
# sheet of a co-financer's scheme the request asks, issue 18): callables project -> a Q on the
# campaign's documents, read in the same query.
REQUIRED_DOCUMENT_HOOKS = []


def required_documents(project):
    """The campaign's own documents and the Caf's shared ones that fit the project's situation,
    and those the schemes it asks require."""
    wanted = Q(is_required=True)
    for hook in REQUIRED_DOCUMENT_HOOKS:
        wanted |= hook(project)
    types = documents_for(project.campaign).filter(wanted)
    return [t for t in types if t.applies_to(project.situation)]


def missing_documents(project):
    present = {a.document_type_id for a in project.attachments.all()}
    return [d for d in required_documents(project) if d.pk not in present]


# While the request waits on the carrier or the advisor, a missing required document (one the
# carrier forgot, or one the Caf added mid-campaign) can always be added: nobody is stuck.
WAITING_FOR_DOCUMENTS = (
    ProjectStatus.CHANGES_REQUESTED,
    ProjectStatus.SUBMITTED,
    ProjectStatus.UNDER_REVIEW,
)


def documents_to_add(project):
    """The document types the carrier may upload now: all of them while the section is open,
    else only the missing required ones while the request is still waiting."""
    if can_edit_section(project, "pieces"):
        return None
    if project.status not in WAITING_FOR_DOCUMENTS:
        return []
    return missing_documents(project)


def _collective_issues(collective, policy):
    issues = []
    minimum, maximum = policy.children_range(collective.is_rural)
    in_range = minimum <= collective.planned_children <= maximum
    if not in_range and not collective.children_justification.strip():
        issues.append(
            f"{collective.name} : {collective.planned_children} enfants, hors de la fourchette "
            f"{minimum}–{maximum} ; ajoutez une justification."
        )
    if not policy.sessions_enough(
        collective.sessions_per_week, collective.session_minutes, collective.is_rural
    ):
        issues.append(
            f"{collective.name} : {collective.sessions_per_week} × "
            f"{collective.session_minutes} min par semaine ; votre Caf demande "
            f"{sessions_text(policy, collective.is_rural)}"
            f"{' en milieu rural' if collective.is_rural else ''}."
        )
    staff = staff_shortfall(collective, policy)
    if staff and policy.staff_ratio_blocking:
        issues.append(f"{staff}.")
    if not collective.weekdays:
        issues.append(f"{collective.name} : indiquez les jours des séances.")
    return issues


def missing_items(project):
    """Everything that prevents the deposit, step by step, in French."""
    carrier = project.carrier
    missing = []
    slugs = {step.slug for step in steps_for(project)}
    if not carrier.legal_representative:
        missing.append(Missing("structure", "Le représentant légal de la structure."))
    if not carrier.email:
        missing.append(Missing("structure", "Une adresse e-mail de contact."))
    if "projet" in slugs:
        for field in (
            "axis_children",
            "axis_parents",
            "axis_school",
            "axis_territory",
            "objectives",
            "premises",
        ):
            if not getattr(project, field).strip():
                label = project._meta.get_field(field).verbose_name
                missing.append(Missing("projet", f"{label[0].upper()}{label[1:]}."))
        if not project.public_levels:
            missing.append(Missing("projet", "Les classes accueillies."))
        if not project.coordinator_name.strip():
            missing.append(Missing("projet", "Le coordinateur ou la coordinatrice du projet."))
        elif not project.coordinator_has_bac2:
            missing.append(
                Missing("projet", "Le référentiel demande un coordinateur de niveau bac+2.")
            )
    collectives = list(project.collectives.prefetch_related("intervenants"))
    policy = policy_for(project.campaign.caf)
    if not collectives:
        missing.append(Missing("collectifs", "Au moins un collectif d'enfants."))
    missing.extend(Missing("collectifs", problem) for problem in renewal_problems(project))
    for collective in collectives:
        missing.extend(
            Missing("collectifs", issue) for issue in _collective_issues(collective, policy)
        )
    levels = levels_problem(collectives, policy)
    if levels:
        missing.append(Missing("collectifs", levels))
    charges = [line for line in project.budget_lines.all() if line.is_charge]
    if not any(line.amount > 0 for line in charges):
        missing.append(Missing("budget", "Les charges prévisionnelles du budget."))
    cofinancing = cofinancing_problem(project, policy)
    if cofinancing:
        missing.append(Missing("budget", cofinancing))
    if project.bonus_children_requested:
        if not project.bonus_children_project.strip():
            missing.append(Missing("bonus", "Le projet « fil rouge » du bonus enfants."))
        costs = (
            project.bonus_children_equipment_cost,
            project.bonus_children_speakers_cost,
            project.bonus_children_outings_cost,
        )
        if not any(cost > 0 for cost in costs):
            missing.append(
                Missing(
                    "bonus",
                    "Au moins une action génératrice de surcoût (bonus "
                    "enfants) : matériel, intervenants ou sorties.",
                )
            )
        if not 1 <= project.bonus_children_collectives <= len(collectives):
            missing.append(
                Missing(
                    "bonus",
                    "Le nombre de collectifs concernés par le bonus "
                    "enfants (entre 1 et le nombre de collectifs).",
                )
            )
    if project.bonus_parents_requested:
        if not project.bonus_parents_project.strip():
            missing.append(Missing("bonus", "Le projet d'accompagnement des parents."))
        if not (
            project.bonus_parents_speakers_cost > 0
            or project.bonus_parents_specific_actions.strip()
        ):
            missing.append(
                Missing(
                    "bonus",
                    "Des intervenants extérieurs ou des actions spécifiques pour le bonus parents.",
                )
            )
        if not 1 <= project.bonus_parents_collectives <= len(collectives):
            missing.append(
                Missing(
                    "bonus",
                    "Le nombre de collectifs concernés par le bonus "
                    "parents (entre 1 et le nombre de collectifs).",
                )
            )
    if "convention" in slugs:
        from .conventions import request_errors

        missing.extend(Missing("convention", error) for error in request_errors(project))
    present = {a.document_type_id for a in project.attachments.all()}
    for document in required_documents(project):
        if document.pk not in present:
            missing.append(Missing("pieces", f"Pièce manquante : {document.name}."))
    for check in DEPOSIT_CHECKS:
        missing.extend(check(project))
    return missing


def _accounts(lines, charges):
    total = {}
    for line in lines:
        if line.is_charge == charges:
            total[line.account] = total.get(line.account, Decimal("0")) + line.amount
    return total


def declaration_data(project):
    collectives = list(project.collectives.all())
    lines = list(project.budget_lines.all())
    return DeclarationData(
        collectives=max(len(collectives), 1),
        weeks=min((c.planned_weeks for c in collectives), default=0),
        charges=_accounts(lines, charges=True),
        products=_accounts(lines, charges=False),
        children=tuple(c.planned_children for c in collectives),
        bonus_children_collectives=project.bonus_children_collectives
        if project.bonus_children_requested
        else 0,
        bonus_parents_collectives=project.bonus_parents_collectives
        if project.bonus_parents_requested
        else 0,
    )


def findings(project):
    """The coherence checks of SPEC §6 applied to the request's forecast figures."""
    data = declaration_data(project)
    policy = policy_for(project.campaign.caf)
    collectives = list(project.collectives.prefetch_related("intervenants"))
    context = CheckContext(
        kind="forecast",
        declaration=data,
        collectives_agreed=data.collectives,
        policy=policy,
        collectives_rural=tuple(c.is_rural for c in collectives),
        bonus_children_granted=project.bonus_children_requested,
        bonus_parents_granted=project.bonus_parents_requested,
    )
    found = run_checks(context)
    if not policy.staff_ratio_blocking:
        # The Caf's staff ratio is advisory: a warning for the review, not a missing item.
        for collective in collectives:
            staff = staff_shortfall(collective, policy)
            if staff:
                found.append(
                    Finding(
                        "staff_ratio_advisory",
                        WARNING,
                        "collectives",
                        f"{staff} (taux d'encadrement indicatif de votre Caf).",
                    )
                )
    return found


def request_case(project, *, collectives, bonus_children, bonus_parents):
    """The funding contract's case for a request: the PS for `collectives`, bonuses only where
    granted (SPEC §4.2). The review page simulates it, the committee freezes it.

    Fewer collectives retained than requested (issue 17): the cost is the request's cost
    prorated to the retained ones (cost × retained / requested), not the whole project's cost
    shared among fewer collectives."""
    data = declaration_data(project)
    requested = project.collectives.count()
    return build_case(
        bareme_year=project.campaign.year,
        carrier_kind=project.carrier.kind,
        collectives_agreed=collectives,
        min_weeks=policy_for(project.campaign.caf).min_weeks,
        bonus_children_granted=bonus_children,
        bonus_parents_granted=bonus_parents,
        forecast=DeclarationFigures(
            collectives=collectives,
            weeks=data.weeks,
            lines=prorate_lines(data.charges.items(), kept=collectives, of=requested),
            bonus_children_collectives=project.bonus_children_collectives,
            bonus_parents_collectives=project.bonus_parents_collectives,
        ),
    )


def simulated_funding(project):
    """The PS requested, computed by the funding engine as if the committee agreed everything."""
    from funding.cases import CaseError
    from funding.services import compute_from_data

    collectives = project.collectives.count()
    if not collectives:
        return None
    case = request_case(
        project,
        collectives=collectives,
        bonus_children=project.bonus_children_requested,
        bonus_parents=project.bonus_parents_requested,
    )
    try:
        return compute_from_data(case)[1]
    except CaseError:  # no barème for that year yet
        return None


def changes_from_previous(project):
    """Situation 2: what changed since last year, for the Caf to validate (Loire guide)."""
    previous = project.previous
    if project.situation != Situation.CONTINUING or previous is None:
        return []
    now = list(project.collectives.all())
    before = list(previous.collectives.all())
    changes = []
    if len(now) != len(before):
        changes.append(f"Nombre de collectifs : {len(before)} → {len(now)}")
    children_before = sum(c.planned_children for c in before)
    children_now = sum(c.planned_children for c in now)
    if children_now != children_before:
        changes.append(f"Enfants prévus : {children_before} → {children_now}")
    weeks_before = sorted(c.planned_weeks for c in before)
    weeks_now = sorted(c.planned_weeks for c in now)
    if weeks_now != weeks_before:
        changes.append(
            "Semaines d'activité : "
            + ", ".join(map(str, weeks_before))
            + " → "
            + ", ".join(map(str, weeks_now))
        )
    starts_before = sorted(c.start_date.strftime("%d/%m") for c in before if c.start_date)
    starts_now = sorted(c.start_date.strftime("%d/%m") for c in now if c.start_date)
    if starts_now != starts_before:
        changes.append(
            "Date de démarrage : "
            + (", ".join(starts_before) or "—")
            + " → "
            + (", ".join(starts_now) or "—")
        )
    return changes


def budget_summary(project):
    lines = list(project.budget_lines.all())
    charges = sum((line.amount for line in lines if line.is_charge), Decimal("0"))
    products = sum((line.amount for line in lines if not line.is_charge), Decimal("0"))
    return {"charges": charges, "products": products, "gap": charges - products}
