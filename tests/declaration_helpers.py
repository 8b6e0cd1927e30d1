import datetime

from committee.models import CommitteeSession
from committee.review import decide_bonus, propose
from committee.sessions import add_to_agenda, record_decision
from projects import workflow

from .request_helpers import make_complete


def approve(world, *, collectives=1, bonus_children=False):
    """Take the world's project through deposit, proposal and a committee decision."""
    project = make_complete(world.project)
    if bonus_children:
        project.bonus_children_requested = True
        project.bonus_children_collectives = 1
        project.bonus_children_project = "Fil rouge"
        project.bonus_children_outings_cost = 400
        project.save()
    workflow.submit(project.pk, by=world.carrier_user)
    if bonus_children:
        decide_bonus(project.pk, by=world.advisor, which="children", granted=True, reason="ok")
    propose(project.pk, by=world.advisor, favourable=True, collectives=collectives)
    session = CommitteeSession.objects.create(
        caf=world.caf, campaign=project.campaign, date=datetime.date(2026, 10, 14), place="Caf"
    )
    session.members.add(world.committee)
    project.refresh_from_db()
    add_to_agenda(session, [project], by=world.caf_admin)
    record_decision(
        session.items.get().pk,
        by=world.committee,
        outcome="approved",
        collectives=collectives,
        bonus_children=bonus_children,
    )
    project.refresh_from_db()
    return project
