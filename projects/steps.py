"""The steps of a project request, which apply to which situation, and who may edit them."""

from dataclasses import dataclass

from .models import ProjectStatus, Situation


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    situations: tuple[int, ...] = (1, 2, 3, 4)


STEPS = (
    Step("structure", "Votre structure"),
    # A continuing multi-year convention (situation 2) only declares the year's forecast data.
    Step("projet", "Le projet", (Situation.RENEWAL, Situation.NEW_CARRIER, Situation.NEW_PROJECT)),
    Step("collectifs", "Les collectifs"),
    Step("budget", "Le budget"),
    # The convention's length and the following years' budgets (issue 15).
    Step(
        "convention",
        "La convention",
        (Situation.RENEWAL, Situation.NEW_CARRIER, Situation.NEW_PROJECT),
    ),
    Step("bonus", "Les bonus"),
    Step("pieces", "Les pièces jointes"),
    Step("recapitulatif", "Récapitulatif et dépôt"),
)
STEP_TITLES = {step.slug: step.title for step in STEPS}


def steps_for(project):
    return [step for step in STEPS if project.situation in step.situations]


def neighbours(project, slug):
    slugs = [step.slug for step in steps_for(project)]
    index = slugs.index(slug)
    previous = slugs[index - 1] if index > 0 else None
    following = slugs[index + 1] if index + 1 < len(slugs) else None
    return previous, following


def can_edit_section(project, slug):
    """Drafts are open; after a change request, only the sections the advisor reopened; nothing
    once the campaign is archived."""
    if project.campaign.archived_at is not None:
        return False
    if project.status == ProjectStatus.DRAFT:
        return True
    if project.status == ProjectStatus.CHANGES_REQUESTED:
        return slug in (project.reopened_sections or [])
    return False


def is_open_for_carrier(project):
    if project.campaign.archived_at is not None:
        return False
    return project.status in (ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED)
