"""The figures of every campaign, kept in the shared cache (clasportal.cached) until what they
are computed from changes.

The figures page grouped every approved project of the Caf's campaigns on each visit: 7 ms of
PostgreSQL for an average Caf, 35 ms for a large one, the costliest query of the bench's
journey (issue 21). Now any save or delete of what the figures are computed from forgets its
campaign's entries (receivers connected in DeclarationsConfig.ready): the campaign gets a new
generation, at once and again when the transaction commits, and its values are stored under
the generation read before they were computed — a computation that read the rows before a
change lands under a generation never read again. A change that reaches every campaign of a
Caf (a territory renamed, a carrier moved, a partner renamed) forgets them all. A queryset
`update()` sends no signal: code that updates in bulk the rows or columns the figures read
calls `forget_campaigns` itself (tests/test_figures_cache.py lists the bulk updates and what
they set). An archived campaign is read-only and kept a day; a campaign at work is also
recomputed after LIVE_TIMEOUT whatever happens, a bound on a change made another way (a data
migration, a manual SQL fix)."""

import uuid

from django.apps import apps
from django.db import transaction

TIMEOUT = 24 * 3600
LIVE_TIMEOUT = 10 * 60


def generation_key(campaign_id):
    return f"clas:figures-generation:campaign:{campaign_id}"


def key(kind, campaign_id, generation):
    return f"clas:{kind}:campaign:{campaign_id}:{generation}"


def _generations(campaign_ids):
    """{campaign_pk: its current generation}: a token changed by every forget. A value is
    stored under the generation read *before* it was computed, so a computation that read the
    rows before a change (even one committed while it ran) lands under a generation nobody
    reads any more: it can never be served after the change."""
    from django.core.cache import cache

    keys = {pk: generation_key(pk) for pk in campaign_ids}
    found = cache.get_many(list(keys.values())) if keys else {}
    generations = {}
    for pk, k in keys.items():
        if k not in found:
            cache.add(k, uuid.uuid4().hex, None)
            found[k] = cache.get(k)
        generations[pk] = found[k]
    return generations


def per_campaign(kind, campaigns, compute):
    """{campaign_pk: value}: from the cache, and the campaigns not cached yet through
    `compute(campaign_ids) -> {campaign_pk: value}` (one call for all of them)."""
    from django.core.cache import cache

    generations = _generations([c.pk for c in campaigns])
    # A generation unknown (the cache unreachable) caches nothing: computed every time.
    keys = {c.pk: key(kind, c.pk, generations[c.pk]) for c in campaigns if generations[c.pk]}
    found = cache.get_many(list(keys.values())) if keys else {}
    values = {pk: found[k] for pk, k in keys.items() if k in found}
    missing = [c for c in campaigns if c.pk not in values]
    if missing:
        computed = compute([c.pk for c in missing])
        values.update(computed)
        for archived, timeout in ((True, TIMEOUT), (False, LIVE_TIMEOUT)):
            fresh = {
                keys[c.pk]: computed[c.pk]
                for c in missing
                if (c.archived_at is not None) == archived and c.pk in computed and c.pk in keys
            }
            if fresh:
                cache.set_many(fresh, timeout)
    return values


def forget_campaigns(*campaign_ids):
    """A new generation for each campaign, at once and again when the transaction commits."""
    from django.core.cache import cache

    keys = [generation_key(pk) for pk in campaign_ids if pk is not None]
    if not keys:
        return

    def renew():
        cache.set_many({k: uuid.uuid4().hex for k in keys}, None)

    renew()
    transaction.on_commit(renew)


def forget_caf(caf_id):
    """Every campaign of the Caf: invalidation of a cache shared by everyone, not a person's
    view (that goes through visible_to)."""
    if caf_id is None:
        return
    caf = apps.get_model("clasportal", "Caf")(pk=caf_id)
    forget_campaigns(*caf.campaigns.values_list("pk", flat=True))


# What the figures are computed from, and how each row leads to its campaign: through the
# related object the saving code already holds when it does, else one small query.
def _related(instance, name):
    field = type(instance)._meta.get_field(name)
    return getattr(instance, name) if field.is_cached(instance) else None


def _campaign_of_project(instance):
    project = _related(instance, "project")
    if project is not None:
        return project.campaign_id
    model = apps.get_model("projects", "Project")
    rows = model.objects.filter(pk=instance.project_id).values_list("campaign_id", flat=True)
    return rows.first()


def _cascaded_from_project(kwargs):
    # A project or a campaign deleted takes its rows along: its own receiver forgets the
    # campaign, so each of its rows need not look the campaign up again.
    origin = kwargs.get("origin")
    if origin is None:
        return False
    model = getattr(origin, "model", type(origin))  # a queryset's model, or an instance's
    return getattr(model, "_meta", None) is not None and model._meta.label in (
        "projects.Project",
        "projects.Campaign",
    )


def _by_project(sender, instance, **kwargs):
    if not _cascaded_from_project(kwargs):
        forget_campaigns(_campaign_of_project(instance))


def _decision(sender, instance, **kwargs):
    if _cascaded_from_project(kwargs):
        return
    item = _related(instance, "item")
    if item is not None:
        forget_campaigns(_campaign_of_project(item))
        return
    model = apps.get_model("committee", "AgendaItem")
    rows = model.objects.filter(pk=instance.item_id).values_list("project__campaign_id", flat=True)
    forget_campaigns(rows.first())


def _project(sender, instance, **kwargs):
    forget_campaigns(instance.campaign_id)


def _campaign(sender, instance, **kwargs):
    forget_campaigns(instance.pk)


def _scheme(sender, instance, **kwargs):
    forget_campaigns(instance.campaign_id)


def _by_caf(sender, instance, **kwargs):
    forget_caf(instance.caf_id)


RECEIVERS = (
    ("declarations.Payment", _by_project),
    ("declarations.Declaration", _by_project),
    ("projects.Collective", _by_project),
    ("committee.FinancerDecision", _by_project),
    ("committee.Decision", _decision),
    ("committee.AgendaItem", _by_project),
    ("projects.Project", _project),
    ("projects.Campaign", _campaign),
    ("projects.Carrier", _by_caf),
    ("clasportal.Territory", _by_caf),
    ("clasportal.Commune", _by_caf),
    ("committee.PartnerOrganisation", _by_caf),
    ("committee.FinancingScheme", _scheme),
)


def connect():
    """Called once by DeclarationsConfig.ready()."""
    from django.db.models.signals import post_delete, post_save

    for label, receiver in RECEIVERS:
        model = apps.get_model(label)
        for signal, name in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(receiver, sender=model, dispatch_uid=f"clas-figures-{label}-{name}")
