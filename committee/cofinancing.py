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
from django.db.models import Q, Sum

from clasportal.formatting import format_euros
from clasportal.rules import can
from clasportal.transitions import TransitionError
from projects import workflow
from projects.models import BudgetLine, Financer

from .financers import Envelope, FinancerDecision, FinancingScheme, SchemeRequest
from .models import AgendaItem, Decision, PartnerOrganisation

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


class EnvelopeOverrun(TransitionError):
    """The decision would take a financer past its envelope: asked again with `confirm`."""

    def __init__(self, financer, envelope, committed, amount):
        self.financer, self.envelope, self.committed, self.amount = (
            financer,
            envelope,
            committed,
            amount,
        )
        self.overrun = committed + amount - envelope
        super().__init__(
            f"L'enveloppe de {financer} pour la campagne est de {format_euros(envelope)} : "
            f"{format_euros(committed)} déjà engagés, cette décision de "
            f"{format_euros(amount)} la dépasserait de {format_euros(self.overrun)}."
        )


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


# --- Envelopes ---------------------------------------------------------------------------------


def envelope_of(campaign, partner=None):
    return Envelope.objects.filter(campaign=campaign, partner=partner).first()


def partner_committed(campaign, partner, exclude=None):
    decisions = FinancerDecision.objects.filter(
        project__campaign=campaign, partner=partner, outcome=FinancerDecision.Outcome.GRANTED
    )
    if exclude is not None:
        decisions = decisions.exclude(pk=exclude.pk)
    return decisions.aggregate(total=Sum("amount"))["total"] or ZERO


def caf_committed(campaign, exclude_item=None):
    decisions = Decision.objects.filter(
        item__session__campaign=campaign, outcome=Decision.Outcome.APPROVED
    )
    if exclude_item is not None:
        decisions = decisions.exclude(item=exclude_item)
    totals = decisions.aggregate(ps=Sum("forecast_ps"), bonus=Sum("forecast_bonus"))
    return (totals["ps"] or ZERO) + (totals["bonus"] or ZERO)


def check_envelope(campaign, partner, committed, amount, *, by, project, confirmed):
    """Raises EnvelopeOverrun unless the amount fits or the person confirmed; a confirmed
    overrun is traced (who, when, the envelope, what was committed before, the overrun)."""
    envelope = envelope_of(campaign, partner)
    if envelope is None or amount <= 0 or committed + amount <= envelope.amount:
        return
    name = partner.name if partner else "la Caf"
    overrun = EnvelopeOverrun(name, envelope.amount, committed, amount)
    if not confirmed:
        raise overrun
    workflow.record(
        project,
        by=by,
        action="envelope_overrun",
        note=overrun.message,
        data={
            "financer": name,
            "partner": partner.pk if partner else None,
            "envelope": str(envelope.amount),
            "committed_before": str(committed),
            "amount": str(amount),
            "overrun": str(overrun.overrun),
        },
    )


def envelope_board(session):
    """Per financer of the session's campaign: envelope, committed (decided, every session of
    the campaign), proposed (asked by the projects still undecided on this agenda), available.
    Constant queries whatever the agenda's length."""
    campaign = session.campaign
    # The session's Caf's partners (the session itself was read through visible_to).
    partners = list(session.caf.partners.filter(is_active=True).order_by("name"))
    envelopes = {e.partner_id: e.amount for e in Envelope.objects.filter(campaign=campaign)}
    committed = dict(
        FinancerDecision.objects.filter(
            project__campaign=campaign, outcome=FinancerDecision.Outcome.GRANTED
        )
        .values_list("partner")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    undecided = AgendaItem.objects.filter(session=session, decision__isnull=True)
    # Proposed: what this agenda's projects ask of each partner and the partner has not decided
    # yet at this session (two queries, added up here).
    decided = set(
        FinancerDecision.objects.filter(item__session=session).values_list(
            "project_id", "scheme_id"
        )
    )
    proposed = defaultdict(lambda: ZERO)
    asked = SchemeRequest.objects.filter(project__agenda_items__session=session).values_list(
        "project_id", "scheme_id", "scheme__partner_id", "amount"
    )
    for project_id, scheme_id, partner_id, amount in asked:
        if (project_id, scheme_id) not in decided:
            proposed[partner_id] += amount
    caf_proposed = (
        BudgetLine.objects.filter(
            project__agenda_items__in=undecided, account="74", financer=Financer.CAF
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    rows = [_board_row("Caf", envelopes.get(None), caf_committed(campaign), caf_proposed)]
    for partner in partners:
        if partner.pk in envelopes or partner.pk in committed or partner.pk in proposed:
            rows.append(
                _board_row(
                    partner.name,
                    envelopes.get(partner.pk),
                    committed.get(partner.pk, ZERO),
                    proposed.get(partner.pk, ZERO),
                )
            )
    return rows


def _board_row(name, envelope, committed, proposed):
    available = None if envelope is None else envelope - committed
    return {
        "financer": name,
        "envelope": envelope,
        "committed": committed,
        "proposed": proposed,
        "available": available,
        "exceeded": available is not None and available < 0,
        "short": available is not None and proposed > available,
    }


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
