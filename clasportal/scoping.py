"""Scoped querysets: every model a person may or may not see declares where it hangs (its
`Scope`), and `visible_to(user)` asks `clasportal.rules.visible_q` for the filter. Nothing else
filters by Caf or by carrier to decide what someone sees."""

from django.db import models
from django.shortcuts import get_object_or_404

from . import rules


class ScopedQuerySet(models.QuerySet):
    scope: rules.Scope  # set by each subclass

    def visible_to(self, user):
        condition = rules.visible_q(user, self.scope, self.model)
        return self.none() if condition is None else self.filter(condition)


def scoped(scope, base=ScopedQuerySet):
    """A queryset class for a model declared with `scope`: `objects = scoped(Scope(...)).as_manager()`."""
    return type("ScopedQuerySet", (base,), {"scope": scope})


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The one way a detail page fetches an object: through the user's scope, else 404."""
    queryset = queryset_or_model
    if isinstance(queryset_or_model, type):
        queryset = queryset_or_model._default_manager.all()
    return get_object_or_404(queryset.visible_to(user), **lookup)
