"""A collective's rural status: its commune's flag, unless the Caf's advisor overrides it with a
reason. `Collective.is_rural` stores the result (what the forms, completeness and the engine's
inputs read); every write of it goes through `effective_rural`."""

from django.db import transaction

from .models import Action, Collective, ProjectStatus

# Statuses after which a collective's rural status no longer follows its commune: a decision
# taken stays taken (the commune's flag changing later does not reopen it).
DECIDED = (ProjectStatus.APPROVED, ProjectStatus.REFUSED)

OVERRIDE_LABELS = {None: "comme la commune", True: "rural", False: "non rural"}


def rural_status(commune, override):
    """The rural status of a collective held in `commune`, with the advisor's `override`."""
    if override is not None:
        return override
    return bool(commune is not None and commune.is_rural)


def effective_rural(collective):
    return rural_status(collective.commune, collective.rural_override)


def refresh(collective):
    """Store the effective status; True when it changed (and was saved)."""
    value = effective_rural(collective)
    if collective.is_rural == value:
        return False
    collective.is_rural = value
    collective.save(update_fields=["is_rural"])
    return True


@transaction.atomic
def override(collective, *, by, value, reason):
    """The advisor's decision on a collective's rural status (True, False, or None: as its
    commune), with its reason, traced with the before and after."""
    from .workflow import record

    before = {
        "override": collective.rural_override,
        "is_rural": collective.is_rural,
        "reason": collective.rural_override_reason,
    }
    collective.rural_override = value
    collective.rural_override_reason = reason if value is not None else ""
    collective.is_rural = effective_rural(collective)
    collective.save(update_fields=["rural_override", "rural_override_reason", "is_rural"])
    after = {
        "override": collective.rural_override,
        "is_rural": collective.is_rural,
        "reason": collective.rural_override_reason,
    }
    record(
        collective.project,
        by=by,
        action=Action.RURAL_OVERRIDE,
        note=f"{collective.name} : {OVERRIDE_LABELS[value]} — {reason}",
        data={"collective": collective.pk, "before": before, "after": after},
    )
    return collective


def follow_commune(commune):
    """A commune's flag changed: the collectives held there follow it, unless the advisor
    decided otherwise or their project is already decided."""
    collectives = (
        Collective.objects.filter(commune=commune, rural_override__isnull=True)
        .exclude(project__status__in=DECIDED)
        .exclude(is_rural=commune.is_rural)
        .select_related("commune")
    )
    for collective in collectives:
        refresh(collective)


def commune_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    follow_commune(instance)
