"""Suspension, lifting and withdrawal of an agrément during the year (issue 17, Vosges note:
the departmental committee « suit et contrôle les structures bénéficiaires de l'agrément (si
besoin retire les agréments en cours si des manquements sont constatés) »).

- **Suspension** (from a given date, with its reason): the project is no longer approved, so
  no payment moves; payments not paid yet are held. Nothing is recovered yet: a suspension is
  the time to look into a failing, not its outcome.
- **Lifting**: the agrément runs again, held payments go back to « À payer ». The weeks missed
  during the suspension are not paid twice: the actual declaration reports the weeks really run
  and the engine reduces the PS below the Caf's minimum (SPEC §4.4).
- **Withdrawal** (directly, or ending a suspension): for good. Open declarations and unpaid
  payments are cancelled; the year's right is prorated to the weeks run before the withdrawal
  (funding.withdrawal, pure) and what was paid above it becomes an amount to recover. What was
  paid below it is still due and shown as such (paid by the GC outside the advances).
"""

from django.db import transaction

from clasportal.formatting import format_euros
from clasportal.transitions import TransitionError
from projects import workflow
from projects.consequences import Change

from .agreement_cascade import carry_out, plan
from .models import AgreementChange

ACTIONS = {
    "suspend": ("suspension", AgreementChange.Kind.SUSPENSION),
    "lift_suspension": ("lifting", AgreementChange.Kind.LIFTING),
    "withdraw": ("withdrawal", AgreementChange.Kind.WITHDRAWAL),
}


def change_for(action, *, reason, effective_on, weeks_run=None):
    if action not in ACTIONS:
        raise TransitionError("Action inconnue.")
    return Change(ACTIONS[action][0], reason, effective_on=effective_on, weeks_run=weeks_run)


def _check(project, action, by, reason):
    if action not in workflow.allowed_actions(project, by):
        raise TransitionError(
            f"Action impossible : le projet est au statut « {project.get_status_display()} »."
        )
    if not reason.strip():
        raise TransitionError("Motivez la décision : le porteur lit ce motif.")


def describe(project, action, *, by, reason, effective_on, weeks_run=None):
    """What the action will do, in French (the confirmation page lists it)."""
    _check(project, action, by, reason)
    change = change_for(action, reason=reason, effective_on=effective_on, weeks_run=weeks_run)
    return plan(project, change).lines


@transaction.atomic
def change_agreement(project_id, action, *, by, reason, effective_on, weeks_run=None):
    project = workflow.PROJECT.lock(project_id, by, "campaign", "carrier")
    _check(project, action, by, reason)
    change = change_for(action, reason=reason, effective_on=effective_on, weeks_run=weeks_run)
    result = carry_out(project, change, by=by)
    project = workflow.PROJECT.fire(
        project.pk,
        action,
        by=by,
        obj=project,
        note=reason,
        data={
            "effective_on": effective_on.isoformat(),
            "weeks_run": weeks_run,
            "to_recover": str(result.to_recover),
        },
        context={"effective_on": effective_on, "consequences": result.lines},
    )
    settlement = result.settlement
    record = AgreementChange.objects.create(
        project=project,
        kind=ACTIONS[action][1],
        effective_on=effective_on,
        reason=reason,
        weeks_run=weeks_run if settlement else None,
        weeks_planned=result.weeks_planned,
        right=result.year_right,
        prorated_right=settlement.prorated_right if settlement else None,
        paid=result.paid if settlement else None,
        still_due=settlement.still_due if settlement else None,
        explanation=list(settlement.steps) if settlement else result.lines,
        recovery=result.recovery,
        decided_by=by,
    )
    if settlement is not None:
        workflow.record(
            project,
            by=by,
            action="consequences",
            note=f"Droit au prorata : {format_euros(settlement.prorated_right)}",
            data={"before": str(result.paid), "after": str(settlement.prorated_right)},
        )
    return record
