"""What follows when a project loses its agrément once money exists (issue 17).

The committee revises a decision (committee layer) or withdraws an agrément; the money lives
above, in declarations. The declarations app registers here, at start-up, the provider that
says (`describe`) and does (`apply`) what follows: open declarations cancelled, scheduled
payments cancelled, paid amounts turned into an amount to recover. Both run on the same plan,
so the list the person confirms is the list that is carried out.
"""

from dataclasses import dataclass

# Objects with `describe(project, change) -> list[str]` and `apply(project, change, *, by)
# -> list[str]` (declarations.agreement_cascade registers one in its AppConfig.ready).
PROVIDERS = []


@dataclass(frozen=True)
class Change:
    """What happens to the agrément: `kind` is "revision" (the committee's new decision is not
    an approval), "refigure" (approved again with other figures), "suspension", "lifting" or
    "withdrawal"; `reason` is the motive the carrier reads."""

    kind: str
    reason: str
    outcome_label: str = ""
    collectives: int | None = None
    effective_on: object = None  # a date (suspension, withdrawal)
    weeks_run: int | None = None  # withdrawal: weeks of activity run before it


def describe(project, change):
    """The list, in French, of what `change` will do to the project's money (empty: nothing)."""
    lines = []
    for provider in PROVIDERS:
        lines.extend(provider.describe(project, change))
    return lines


def apply(project, change, *, by):
    """Carry out what `describe` listed, in the caller's transaction; returns the same lines."""
    lines = []
    for provider in PROVIDERS:
        lines.extend(provider.apply(project, change, by=by))
    return lines
