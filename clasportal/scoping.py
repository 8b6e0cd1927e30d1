"""Scoped querysets: every model a person may or may not see declares where it hangs (its
`Scope`), and `visible_to(user)` asks `clasportal.rules.visible_q` for the filter. Nothing else
filters by Caf or by carrier to decide what someone sees."""

from django.db import models
from django.shortcuts import get_object_or_404

from . import rules


class ParentOrderedManager(models.Manager):
    """A model ordered first by its parent (``ordering = ["project", "name"]``) is read from
    one parent through the parent's related manager (``project.collectives.all()``, a
    prefetch): sorting by the parent is then constant, and costs joins, because ordering by a
    relation sorts by the parent's own ordering (a project's year, carrier and title: three
    tables joined to sort one project's rows, issue 21). Through a related manager whose link
    is that first key, the rows are sorted by the rest of the ordering; a prefetch over several
    parents groups them per parent, each in that order. Everywhere else the model's ordering
    holds as declared."""

    def get_queryset(self):
        queryset = super().get_queryset()
        link = getattr(self, "field", None)  # set on a reverse related manager only
        if link is None or getattr(self, "instance", None) is None:
            return queryset
        ordering = list(self.model._meta.ordering)
        if ordering and ordering[0] in (link.name, link.attname):
            queryset = queryset.order_by(*(ordering[1:] or ["pk"]))
        return queryset


class ScopedQuerySet(models.QuerySet):
    scope: rules.Scope  # set by each subclass

    def visible_to(self, user):
        condition = rules.visible_q(user, self.scope, self.model)
        return self.none() if condition is None else self.filter(condition)

    @classmethod
    def as_manager(cls):
        manager = ParentOrderedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True


def scoped(scope, base=ScopedQuerySet):
    """A queryset class for a model declared with `scope`: `objects = scoped(Scope(...)).as_manager()`."""
    return type("ScopedQuerySet", (base,), {"scope": scope})


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The one way a detail page fetches an object: through the user's scope, else 404."""
    queryset = queryset_or_model
    if isinstance(queryset_or_model, type):
        queryset = queryset_or_model._default_manager.all()
    return get_object_or_404(queryset.visible_to(user), **lookup)
