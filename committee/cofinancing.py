"""The co-financers' rules (issue 18): what a request may ask of a scheme, each financer's
decision at the committee, and the envelopes they are taken within.

- A flat scheme per carrier (MSA Lorraine « Grandir en milieu rural », 1 000 €) is asked and
  granted once per carrier and campaign, whatever its number of projects.
- A scheme per collective (CD Vosges « bonus parents TNE ») stays within its bounds per
  collective (100–500 €); a free amount with a minimum (MSA 63) is at least that minimum.
- Each financer (and the Caf) has an envelope per campaign: a decision that would exceed it is
  refused until the person confirms, and the overrun is traced in the audit trail."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from clasportal.formatting import format_euros
from clasportal.rules import can
from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import BudgetLine, Financer

from .envelopes import (  # noqa: F401  (the envelopes are part of this service's answers)
    EnvelopeOverrun,
    caf_committed,
    check_envelope,
    envelope_board,
    envelope_of,
    partner_committed,
)
from .financers import FinancerDecision, FinancingScheme, SchemeRequest
from .models import AgendaItem, PartnerOrganisation

ZERO = Decimal("0")
Rule = FinancingScheme.Rule

# The CERFA budget's financer of each kind of partner (line 74 – Subvention).
KIND_TO_FINANCER = {
    PartnerOrganisation.Kind.DEPARTEMENT: Financer.DEPARTEMENT,
    PartnerOrganisation.Kind.MSA: Financer.MSA,
    PartnerOrganisation.Kind.DDETS: Financer.ETAT,
    PartnerOrganisation.Kind.EDUCATION: Financer.ETAT,
    PartnerOrganisation.Kind.COMMUNE: Financer.COMMUNE,
    PartnerOrganisation.Kind.POLITIQUE_VILLE: Financer.POLITIQUE_VILLE,
    PartnerOrganisation.Kind.OTHER: Financer.AUTRE,
}


class FinancerError(TransitionError):
    """A refused request or decision, with the field its message belongs next to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# --- A request's schemes -----------------------------------------------------------------------


def schemes_open_to(project):
    """The active schemes of the project's campaign, of its Caf's active partners."""
    return (
        FinancingScheme.objects.filter(
            campaign_id=project.campaign_id, partner__is_active=True, is_active=True
        )
        .select_related("partner", "required_document")
        .order_by("partner__name", "name")
    )


def rural_or_fragile(project):
    """At least one collective in a rural commune (as retained by the Caf), a ZRR or a QPV."""
    return project.collectives.filter(
        Q(is_rural=True) | Q(commune__is_zrr=True) | Q(commune__is_qpv=True)
    ).exists()


def _same_carrier_requests(scheme, project):
    return SchemeRequest.objects.filter(
        scheme=scheme,
        project__carrier_id=project.carrier_id,
        project__campaign_id=project.campaign_id,
    ).exclude(project=project)


def check_request(project, scheme, *, collectives=0, amount=None, parents_digital_action=""):
    """The amount the request asks of `scheme` (the flat amount for a forfait, the amount per
    collective times the collectives otherwise), or a FinancerError next to its field."""
    if scheme.requires_rural_or_fragile and not rural_or_fragile(project):
        raise FinancerError(
            f"« {scheme.name} » est réservé aux projets dont au moins un collectif est dans une "
            "commune rurale ou fragile (milieu rural, ZRR ou quartier prioritaire).",
            "asked",
        )
    if scheme.requires_parents_digital and not (parents_digital_action or "").strip():
        raise FinancerError(
            f"Décrivez l'action parents sur la scolarité numérique qu'exige « {scheme.name} ».",
            "parents_digital_action",
        )
    if scheme.rule == Rule.PER_CARRIER:
        other = _same_carrier_requests(scheme, project).select_related("project").first()
        if other is not None:
            raise FinancerError(
                f"Le forfait « {scheme.name} » ({format_euros(scheme.amount)}) est accordé une "
                "seule fois par porteur et par campagne : il est déjà demandé pour le projet "
                f"« {other.project.title} ».",
                "asked",
            )
        return scheme.amount
    if amount is None:
        raise FinancerError("Indiquez le montant demandé.", "amount")
    if scheme.rule == Rule.PER_COLLECTIVE:
        count = project.collectives.count()
        if not collectives or not 1 <= collectives <= max(count, 1):
            raise FinancerError(
                f"Indiquez le nombre de collectifs concernés (entre 1 et {max(count, 1)}).",
                "collectives",
            )
        if not scheme.minimum <= amount <= scheme.maximum:
            raise FinancerError(
                f"« {scheme.name} » va de {format_euros(scheme.minimum)} à "
                f"{format_euros(scheme.maximum)} par collectif : {format_euros(amount)} "
                "n'est pas dans ces bornes.",
                "amount",
            )
        return amount * collectives
    if scheme.rule == Rule.FREE_MINIMUM and amount < scheme.minimum:
        raise FinancerError(
            f"« {scheme.name} » demande au moins {format_euros(scheme.minimum)} : "
            f"{format_euros(amount)} est en dessous.",
            "amount",
        )
    if amount <= 0:
        raise FinancerError("Indiquez un montant supérieur à zéro.", "amount")
    return amount


@transaction.atomic
def save_request(project, scheme, *, asked, collectives=0, amount=None, parents_digital_action=""):
    """Asks (or stops asking) `scheme` for `project`; the budget's partner lines follow."""
    if not asked:
        SchemeRequest.objects.filter(project=project, scheme=scheme).delete()
        return None
    total = check_request(
        project,
        scheme,
        collectives=collectives,
        amount=amount,
        parents_digital_action=parents_digital_action,
    )
    request, _ = SchemeRequest.objects.update_or_create(
        project=project,
        scheme=scheme,
        defaults={
            "collectives": collectives if scheme.rule == Rule.PER_COLLECTIVE else 0,
            "amount": total,
            "parents_digital_action": parents_digital_action or "",
        },
    )
    return request


def sync_budget_lines(project):
    """The budget's co-financer lines of the partners asked: one line 74 per financer, the sum
    of its requests, labelled as the partner wants it on a budget (« MSA-63-PUY DE DOME »).
    A line the carrier typed for that financer is replaced; a derived line no longer asked
    is removed."""
    by_financer = defaultdict(lambda: [ZERO, []])
    requests = SchemeRequest.objects.filter(project=project).select_related("scheme__partner")
    for request in requests:
        partner = request.scheme.partner
        entry = by_financer[KIND_TO_FINANCER[partner.kind]]
        entry[0] += request.amount
        label = partner.budget_label or partner.name
        if label not in entry[1]:
            entry[1].append(label)
    existing = {
        line.financer: line for line in BudgetLine.objects.filter(project=project, account="74")
    }
    for financer, (amount, labels) in by_financer.items():
        label = " + ".join(labels)[:120]
        line = existing.pop(financer, None)
        if line is None:
            BudgetLine.objects.create(
                project=project, account="74", financer=financer, amount=amount, label=label
            )
        elif (line.amount, line.label) != (amount, label):
            line.amount, line.label = amount, label
            line.save(update_fields=["amount", "label"])
    for line in existing.values():
        if line.label:  # derived from a request no longer made
            line.delete()


def requested_financers(project):
    """The CERFA financers whose line comes from the project's scheme requests."""
    kinds = set(
        SchemeRequest.objects.filter(project=project).values_list(
            "scheme__partner__kind", flat=True
        )
    )
    return {KIND_TO_FINANCER[kind] for kind in kinds}


# --- Each financer's decision at the committee -------------------------------------------------


def _locked_item(item_id, by):
    try:
        return (
            AgendaItem.objects.visible_to(by)
            .select_for_update(of=("self",))
            .select_related("session__campaign", "project__campaign")
            .get(pk=item_id)
        )
    except AgendaItem.DoesNotExist:
        raise FinancerError("Ce projet n'est pas à l'ordre du jour de ce comité.") from None


def check_decision_amount(project, scheme, amount, *, exclude_item=None):
    """A granted amount follows its scheme's rule: the forfait, once per carrier and campaign;
    the bounds per collective; the minimum."""
    if scheme is None:
        if amount <= 0:
            raise FinancerError("Indiquez le montant accordé.", "amount")
        return
    if scheme.rule == Rule.PER_CARRIER:
        if amount != scheme.amount:
            raise FinancerError(
                f"Le forfait « {scheme.name} » est de {format_euros(scheme.amount)}.", "amount"
            )
        granted = (
            FinancerDecision.objects.filter(
                scheme=scheme,
                outcome=FinancerDecision.Outcome.GRANTED,
                project__carrier_id=project.carrier_id,
                project__campaign_id=project.campaign_id,
            )
            .exclude(item=exclude_item)
            .select_related("project")
            .first()
        )
        if granted is not None:
            raise FinancerError(
                f"Le forfait « {scheme.name} » est déjà accordé à ce porteur pour cette "
                f"campagne (projet « {granted.project.title} ») : il ne l'est qu'une fois par "
                "porteur, quel que soit son nombre de projets.",
                "funding",
            )
    elif scheme.rule == Rule.PER_COLLECTIVE:
        asked = SchemeRequest.objects.filter(project=project, scheme=scheme).first()
        count = (asked.collectives if asked else 0) or project.collectives.count() or 1
        low, high = scheme.minimum * count, scheme.maximum * count
        if not low <= amount <= high:
            raise FinancerError(
                f"« {scheme.name} » va de {format_euros(scheme.minimum)} à "
                f"{format_euros(scheme.maximum)} par collectif : pour {count} collectif"
                f"{'s' if count > 1 else ''}, entre {format_euros(low)} et {format_euros(high)}.",
                "amount",
            )
    elif scheme.rule == Rule.FREE_MINIMUM and amount < scheme.minimum:
        raise FinancerError(
            f"« {scheme.name} » accorde au moins {format_euros(scheme.minimum)}.", "amount"
        )
    elif amount <= 0:
        raise FinancerError("Indiquez le montant accordé.", "amount")


@transaction.atomic
def record_financer_decision(
    item_id, *, by, partner, scheme=None, outcome, amount=ZERO, note="", confirmed=False
):
    """One financer's decision on an agenda item (granted with its amount, or refused), per
    scheme; taken again, it replaces the previous one and the trail keeps both."""
    item = _locked_item(item_id, by)
    session, project = item.session, item.project
    if not can(by, "committee.record_financer_decision", session):
        raise FinancerError("Seuls les membres de ce comité y enregistrent les décisions.")
    if not session.is_open:
        raise FinancerError("Ce comité est clos : ses décisions sont verrouillées.")
    if partner.caf_id != session.caf_id:
        raise FinancerError("Ce financeur ne siège pas au comité de cette Caf.", "partner")
    if scheme is not None and (
        scheme.partner_id != partner.pk or scheme.campaign_id != session.campaign_id
    ):
        raise FinancerError(
            "Ce dispositif n'est pas celui de ce financeur pour cette campagne.", "scheme"
        )
    granted = outcome == FinancerDecision.Outcome.GRANTED
    if outcome not in FinancerDecision.Outcome.values:
        raise FinancerError("Décision inconnue.", "outcome")
    amount = amount if granted else ZERO
    if granted:
        check_decision_amount(project, scheme, amount, exclude_item=item)
    previous = FinancerDecision.objects.filter(item=item, partner=partner, scheme=scheme).first()
    if granted:
        check_envelope(
            session.campaign,
            partner,
            partner_committed(session.campaign, partner, exclude=previous),
            amount,
            by=by,
            project=project,
            confirmed=confirmed,
        )
    decision, _ = FinancerDecision.objects.update_or_create(
        item=item,
        partner=partner,
        scheme=scheme,
        defaults={
            "project": project,
            "outcome": outcome,
            "amount": amount,
            "note": note,
            "recorded_by": by,
        },
    )
    label = f"{partner.name}{f' — {scheme.name}' if scheme else ''}"
    workflow.record(
        project,
        by=by,
        action="financer_decision",
        note=f"{label} : {decision.get_outcome_display().lower()}"
        + (f" {format_euros(amount)}" if granted else ""),
        data={
            "session": session.pk,
            "partner": partner.pk,
            "scheme": scheme.pk if scheme else None,
            "before": {"outcome": previous.outcome, "amount": str(previous.amount)}
            if previous
            else None,
            "after": {"outcome": outcome, "amount": str(amount)},
        },
    )
    return decision


def financers_of_rows(project_ids):
    """Every financer decision of these projects, grouped by project: one query."""
    grouped = defaultdict(list)
    decisions = (
        FinancerDecision.objects.filter(project_id__in=project_ids)
        .select_related("partner", "scheme")
        .order_by("partner__name", "scheme__name", "pk")
    )
    for decision in decisions:
        grouped[decision.project_id].append(decision)
    return grouped


def requests_of_rows(project_ids):
    """Every scheme request of these projects, grouped by project: one query."""
    grouped = defaultdict(list)
    requests = (
        SchemeRequest.objects.filter(project_id__in=project_ids)
        .select_related("scheme__partner")
        .order_by("scheme__partner__name", "scheme__name")
    )
    for request in requests:
        grouped[request.project_id].append(request)
    return grouped


def copy_schemes(source, campaign, by):
    """Registered in projects.campaigns.COPY_HOOKS: the partners' schemes follow the campaign
    copied to the next year (same rules and conditions, the campaign's own copied document);
    envelopes are set again each year."""
    documents = {d.name: d for d in campaign.document_types.all()}
    schemes = list(
        FinancingScheme.objects.filter(campaign=source).select_related("required_document")
    )
    for scheme in schemes:
        document = scheme.required_document
        if document is not None and document.campaign_id == source.pk:
            document = documents.get(document.name)
        scheme.pk = scheme.id = None
        scheme._state.adding = True
        scheme.campaign = campaign
        scheme.required_document = document
        scheme._change_reason = f"Copié de la campagne {source.school_year}"
        scheme.save()
    if not schemes:
        return ""
    count = len(schemes)
    plural = "s" if count > 1 else ""
    return f"{count} dispositif{plural} de cofinancement copié{plural}"
