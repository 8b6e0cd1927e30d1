"""Controls and visits: record them against the Caf's checklist, follow them up, and decide what a
failed control leads to. Every change is written on the project's audit trail (who, when, before,
after) and the carrier is told by e-mail; the internal note never leaves the Caf."""

from django.db import transaction
from django.utils import timezone

from clasportal import messenger
from clasportal.rules import can
from projects import workflow

from .errors import DeclarationError
from .models import Control, ControlCheck, ControlChecklistItem
from .models.controls import DEFAULT_CHECKLIST

# The fields the audit trail compares (the internal note is traced as "changed", never quoted,
# since the carrier reads the project's history).
TRACED = (
    "kind",
    "date",
    "controller_id",
    "result",
    "findings",
    "follow_up",
    "follow_up_due_on",
)


def checklist_labels(caf):
    """The points a new control checks: the Caf's active list, or the default one until its
    administrator writes its own."""
    items = caf.control_checklist.all()
    if not items.exists():
        return list(DEFAULT_CHECKLIST)
    return list(items.filter(is_active=True).values_list("label", flat=True))


def ensure_checklist(caf):
    """Write the default list for a Caf that has none, so its administrator can edit it."""
    if not caf.control_checklist.exists():
        ControlChecklistItem.objects.bulk_create(
            ControlChecklistItem(caf=caf, label=label, position=index)
            for index, label in enumerate(DEFAULT_CHECKLIST, start=1)
        )


def _snapshot(control):
    return {name: _plain(getattr(control, name)) for name in TRACED}


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _summary(control):
    return f"{control} : {control.get_result_display().lower()}"


def _require(by, permission, obj, message):
    if not can(by, permission, obj):
        raise DeclarationError(message)


def _save_checks(control, checks):
    control.checks.all().delete()
    ControlCheck.objects.bulk_create(
        ControlCheck(
            control=control,
            position=index,
            label=check["label"],
            status=check["status"],
            comment=check.get("comment", ""),
            comment_shared=bool(check.get("comment_shared")),
        )
        for index, check in enumerate(checks, start=1)
    )


def _tell_carrier(control, what):
    messenger.send(
        "control_recorded",
        to=messenger.recipients_for(control.project, ("carrier_members",)),
        context={"object": control.project, "control": control, "what": what},
    )


@transaction.atomic
def record_control(project, *, by, fields, checks):
    """A new control on `project`: `fields` are the form's cleaned values, `checks` a list of
    {label, status, comment, comment_shared} in the checklist's order."""
    _require(by, "declarations.record_control", project, "Seule la Caf du projet le contrôle.")
    control = Control.objects.create(project=project, created_by=by, **fields)
    _save_checks(control, checks)
    workflow.record(
        control,
        by=by,
        action="control_recorded",
        note=_summary(control),
        data={"after": _snapshot(control), "checks": _checks_data(control)},
    )
    _tell_carrier(control, "recorded")
    return control


def _checks_data(control):
    return [[c.label, c.status] for c in control.checks.all()]


@transaction.atomic
def update_control(control_id, *, by, fields, checks):
    control = Control.objects.select_for_update().get(pk=control_id)
    _require(by, "declarations.record_control", control, "Seule la Caf du projet le contrôle.")
    if control.consequence and fields.get("result") != Control.Result.FAILED:
        raise DeclarationError(
            "Une suite a été décidée sur ce contrôle non conforme : son résultat ne change plus."
        )
    before, before_checks = _snapshot(control), _checks_data(control)
    note_changed = fields.get("internal_note", control.internal_note) != control.internal_note
    for name, value in fields.items():
        setattr(control, name, value)
    control.save()
    _save_checks(control, checks)
    after, after_checks = _snapshot(control), _checks_data(control)
    changed = {k: [before[k], after[k]] for k in TRACED if before[k] != after[k]}
    if changed or note_changed or before_checks != after_checks:
        workflow.record(
            control,
            by=by,
            action="control_updated",
            note=_summary(control),
            data={
                "changed": changed,
                "internal_note_changed": note_changed,
                "checks": {"before": before_checks, "after": after_checks}
                if before_checks != after_checks
                else {},
            },
        )
        if "result" in changed or "follow_up" in changed or "follow_up_due_on" in changed:
            _tell_carrier(control, "updated")
    return control


@transaction.atomic
def mark_follow_up_done(control_id, *, by):
    control = Control.objects.select_for_update().get(pk=control_id)
    _require(by, "declarations.record_control", control, "Seule la Caf du projet le contrôle.")
    if not control.follow_up:
        raise DeclarationError("Aucune suite n'est demandée au porteur sur ce contrôle.")
    if control.follow_up_done_at:
        raise DeclarationError("La suite de ce contrôle est déjà marquée comme réalisée.")
    control.follow_up_done_at = timezone.now()
    control.follow_up_done_by = by
    control.save(update_fields=["follow_up_done_at", "follow_up_done_by", "updated_at"])
    workflow.record(
        control,
        by=by,
        action="control_follow_up_done",
        note=f"{control} : suite réalisée",
        data={"follow_up": control.follow_up},
    )
    return control


@transaction.atomic
def decide_consequence(control_id, *, by, consequence, note):
    """What a failed control leads to. The consequence itself (correction of the declaration,
    withdrawal of the agrément…) is carried out from the project's pages by whoever may."""
    control = Control.objects.select_for_update().get(pk=control_id)
    _require(by, "declarations.record_control", control, "Seule la Caf du projet le contrôle.")
    if not control.is_failed:
        raise DeclarationError("Seul un contrôle non conforme conduit à une suite.")
    if consequence not in Control.Consequence.values:
        raise DeclarationError("Choisissez la suite donnée au contrôle.")
    if not note.strip():
        raise DeclarationError("Motivez la suite donnée au contrôle.")
    before = control.consequence
    control.consequence = consequence
    control.consequence_note = note.strip()
    control.consequence_decided_by = by
    control.consequence_decided_at = timezone.now()
    control.save()
    workflow.record(
        control,
        by=by,
        action="control_consequence",
        note=f"{control} : {control.get_consequence_display().lower()} — {control.consequence_note}",
        data={"before": before, "after": consequence},
    )
    _tell_carrier(control, "consequence")
    return control
