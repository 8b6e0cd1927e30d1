"""A Caf's campaigns run from the screens: next year's copy, the documents a campaign asks for,
and the rules of a year that accepts renewals only (Puy-de-Dôme 2023)."""

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.template.defaultfilters import pluralize

from .models import Campaign, ProjectStatus, Situation
from .services import _shift_year as shift_year

# Later apps copy what they attach to a campaign (the committee its calendar), registered in
# their AppConfig.ready: each takes (old, new, by) and returns a French summary or "".
COPY_HOOKS = []

DATE_FIELDS = ("opens_on", "closes_on", "forecast_due_on", "actual_due_on")
COPIED_FIELDS = ("priorities", "renewals_only")


class CampaignError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def date_problems(opens_on, closes_on, forecast_due_on=None, actual_due_on=None):
    """The campaign's dates that contradict each other: {field: French message}."""
    problems = {}
    if opens_on and closes_on and closes_on < opens_on:
        problems["closes_on"] = "La clôture du dépôt ne peut pas précéder son ouverture."
    if closes_on:
        for field, noun in (
            ("forecast_due_on", "Les déclarations prévisionnelles"),
            ("actual_due_on", "Les déclarations réelles"),
        ):
            due = forecast_due_on if field == "forecast_due_on" else actual_due_on
            if due and due < closes_on:
                problems[field] = (
                    f"{noun} ne peuvent pas être attendues avant la clôture du dépôt "
                    f"({closes_on:%d/%m/%Y})."
                )
    if (
        forecast_due_on
        and actual_due_on
        and actual_due_on < forecast_due_on
        and "actual_due_on" not in problems
    ):
        problems["actual_due_on"] = (
            "Les déclarations réelles ne peuvent pas être attendues avant les prévisionnelles."
        )
    return problems


def year_taken(caf, year, *, exclude=None):
    campaigns = caf.campaigns.filter(year=year)
    if exclude is not None:
        campaigns = campaigns.exclude(pk=exclude.pk)
    return campaigns.exists()


@transaction.atomic
def copy_campaign(source_id, *, by):
    """Next year's campaign from `source`: every date a year later (29 February → 28), the
    priorities, the campaign's own documents, and what later apps attach (committee calendar)."""
    source = Campaign.objects.select_for_update().select_related("caf").get(pk=source_id)
    year = source.year + 1
    if year_taken(source.caf, year):
        raise CampaignError(
            f"La campagne {year}/{year + 1} existe déjà pour la Caf {source.caf.name} : "
            "modifiez-la plutôt que de la recopier."
        )
    campaign = Campaign(caf=source.caf, year=year, copied_from=source)
    for field in DATE_FIELDS:
        setattr(campaign, field, shift_year(getattr(source, field), 1))
    for field in COPIED_FIELDS:
        setattr(campaign, field, getattr(source, field))
    problems = date_problems(*(getattr(campaign, f) for f in DATE_FIELDS))
    if problems:  # an old campaign saved before the checks existed
        raise CampaignError(" ".join(problems.values()))
    campaign._change_reason = f"Copie de la campagne {source.school_year}"
    campaign.save()
    documents = list(source.document_types.all())
    for document in documents:
        document.pk = None
        document.id = None
        document._state.adding = True
        document.campaign = campaign
        document._change_reason = f"Copiée de la campagne {source.school_year}"
        document.save()  # one by one: each copy gets its history line
    plural = pluralize(len(documents))
    summary = [f"{len(documents)} pièce{plural} propre{plural} à la campagne"] if documents else []
    for hook in COPY_HOOKS:
        text = hook(source, campaign, by)
        if text:
            summary.append(text)
    return campaign, summary


def documents_for(campaign):
    """The documents a campaign asks for: its own and the Caf's shared ones (one query)."""
    return campaign.caf.document_types.filter(Q(campaign__isnull=True) | Q(campaign=campaign))


def renewal_allowance(carrier, campaign):
    """For a renewals-only campaign: the collectives the carrier had agreed in its latest earlier
    campaign, or None when it had no project approved before (it may not file this year)."""
    earlier = carrier.projects.filter(
        status=ProjectStatus.APPROVED, campaign__year__lt=campaign.year
    ).exclude(campaign=campaign)
    latest = earlier.aggregate(year=Max("campaign__year"))["year"]
    if latest is None:
        return None
    agreed = earlier.filter(campaign__year=latest).aggregate(n=Sum("agreed_collectives"))["n"]
    return agreed or 0


def renewal_refusal(carrier, campaign, situation):
    """Why this carrier may not start a request in this campaign, or "" (renewals-only rule)."""
    if not campaign.renewals_only:
        return ""
    rule = f"La campagne {campaign.school_year} n'accepte que les renouvellements"
    if situation == Situation.NEW_CARRIER:
        return f"{rule} : pas de nouveau porteur cette année."
    if situation == Situation.NEW_PROJECT:
        return f"{rule} : pas de nouveau projet cette année."
    if renewal_allowance(carrier, campaign) is None:
        return (
            f"{rule} : {carrier} n'a pas de projet agréé lors d'une campagne précédente de la Caf."
        )
    return ""


def renewal_problems(project):
    """At the deposit: a renewals-only campaign accepts no new carrier and no more collectives
    than the carrier had agreed the year before, counted over its deposited requests."""
    campaign = project.campaign
    if not campaign.renewals_only:
        return []
    refusal = renewal_refusal(project.carrier, campaign, project.situation)
    if refusal:
        return [refusal]
    allowance = renewal_allowance(project.carrier, campaign)
    # This request and the carrier's others already deposited (drafts may never be).
    planned = (
        project.carrier.projects.filter(campaign=campaign)
        .filter(Q(pk=project.pk) | ~Q(status__in=(ProjectStatus.DRAFT, ProjectStatus.REFUSED)))
        .aggregate(n=Count("collectives"))["n"]
    )
    if planned > allowance:
        return [
            f"La campagne {campaign.school_year} n'accepte que les renouvellements sans "
            f"collectif supplémentaire : {project.carrier} avait {allowance} "
            f"collectif{pluralize(allowance)} agréé{pluralize(allowance)} l'an passé, "
            f"ses demandes de cette campagne en comptent {planned}."
        ]
    return []


IN_PROGRESS = (
    ProjectStatus.SUBMITTED,
    ProjectStatus.UNDER_REVIEW,
    ProjectStatus.CHANGES_REQUESTED,
    ProjectStatus.PROPOSED,
)


def archive_problems(campaign, today):
    """Why the campaign cannot be archived yet, in French; empty when it can."""
    problems = []
    if campaign.archived_at is not None:
        problems.append(f"La campagne {campaign.school_year} est déjà archivée.")
    if campaign.closes_on >= today:
        problems.append(
            f"Le dépôt est ouvert jusqu'au {campaign.closes_on:%d/%m/%Y} : une campagne "
            "s'archive une fois close."
        )
    waiting = campaign.projects.filter(status__in=IN_PROGRESS).count()
    if waiting:
        problems.append(
            f"{waiting} demande{'s' if waiting > 1 else ''} "
            f"{'sont' if waiting > 1 else 'est'} encore en instruction ou au comité."
        )
    return problems


def archive_campaign(campaign_id, *, by, today):
    """Archive a closed campaign: read-only from then on, out of the working lists."""
    from django.utils import timezone

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        problems = archive_problems(campaign, today)
        if problems:
            raise CampaignError(" ".join(problems))
        campaign.archived_at = timezone.now()
        campaign.archived_by = by
        campaign._change_reason = "Campagne archivée"
        campaign.save(update_fields=["archived_at", "archived_by"])
    return campaign
