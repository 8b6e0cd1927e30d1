"""Declared transitions: the one way any aggregate's status changes (project, declaration,
payment, committee session).

Each aggregate declares a `Workflow`: its model, its table of `Transition`s (from which statuses,
to which status, under which permission of `clasportal.rules`, and which e-mail tells whom) and
how it writes its event. `Workflow.fire` locks the row through the person's scope, checks
permission and status, writes the new status, the event (who, when, before, after) and queues the
e-mail in the outbox, all in one transaction. Views never assign a status.
"""

from dataclasses import dataclass, field

from django.db import transaction
from rules import perm_exists

from . import messenger, rules


class TransitionError(Exception):
    """A transition refused, with a French message for the person who asked."""

    def __init__(self, message, items=()):
        super().__init__(message)
        self.message = message
        self.items = list(items)


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str
    permission: str
    # The e-mail this transition sends (templates/emails/<name>.txt) and to whom
    # (a function of clasportal.recipients); None when nobody has to act on it.
    email: str | None = None
    recipients: tuple = field(default=())


# Status labels of every declared aggregate, for the audit trail ("subject" → {code: label}).
STATUS_LABELS: dict[str, dict[str, str]] = {}


def campaign_of(obj):
    """The campaign an aggregate belongs to (project, declaration, payment, session), if any."""
    for path in ("campaign", "project", "declaration"):
        value = getattr(obj, path, None)
        if value is None:
            continue
        return value if path == "campaign" else campaign_of(value)
    return None


class Workflow:
    def __init__(self, *, subject, model, statuses, transitions, record, noun):
        self.subject = subject
        self.model = model
        self.transitions = transitions
        self.record = record
        self.noun = noun
        STATUS_LABELS[subject] = dict(statuses.choices)
        for name, t in transitions.items():
            unknown = {t.target, *t.sources} - set(statuses.values)
            if unknown:
                raise ValueError(f"{subject}.{name}: statuts inconnus {unknown}")
            for permission in (t.permission, *t.recipients):
                if permission not in messenger.RECIPIENT_KINDS and not perm_exists(permission):
                    raise ValueError(f"{subject}.{name}: permission inconnue {permission}")
            if t.email and not t.recipients:
                raise ValueError(f"{subject}.{name}: un e-mail sans destinataires")

    def allowed(self, obj, user):
        """The transitions `user` may fire on `obj` now (for the buttons a page shows)."""
        return [
            name
            for name, t in self.transitions.items()
            if obj.status in t.sources and rules.can(user, t.permission, obj)
        ]

    def lock(self, pk, user, *related):
        """The row, locked, through the person's scope (another Caf's object does not exist)."""
        queryset = self.model.objects.visible_to(user).select_for_update(of=("self",))
        try:
            return queryset.select_related(*related).get(pk=pk)
        except self.model.DoesNotExist:
            raise TransitionError(f"{self.noun.capitalize()} introuvable.") from None

    @transaction.atomic
    def fire(self, pk, action, *, by, note="", data=None, context=None, obj=None, **changes):
        transition = self.transitions[action]
        obj = obj if obj is not None else self.lock(pk, by)
        campaign = campaign_of(obj)
        if campaign is not None and getattr(campaign, "archived_at", None):
            raise TransitionError(
                f"La campagne {campaign.school_year} est archivée : plus rien n'y change."
            )
        if not rules.can(by, transition.permission, obj):
            raise TransitionError("Votre rôle ne permet pas cette action.")
        if obj.status not in transition.sources:
            raise TransitionError(
                f"Action impossible : {self.noun} est au statut « {obj.get_status_display()} »."
            )
        before = obj.status
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.status = transition.target
        if hasattr(obj, "version"):
            obj.version += 1
        # The history's reason column holds 100 characters; the full note is on the event.
        obj._change_reason = (note or transition.label)[:100]
        obj.save()
        self.record(
            obj,
            by=by,
            action=action,
            note=note,
            data=data,
            from_status=before,
            to_status=obj.status,
            kind=self.subject,
        )
        if transition.email:
            messenger.send(
                transition.email,
                to=messenger.recipients_for(obj, transition.recipients),
                context={"object": obj, "note": note, "by": by, **(context or {})},
            )
        return obj
