"""Two Caf, each with a carrier, a project and people of every role: the smallest world in which
scoping can be wrong."""

from dataclasses import dataclass

import pytest

from clasportal.models import Role
from funding.models import CafPolicy
from projects.models import DocumentType

from .factories import (
    CafFactory,
    CampaignFactory,
    CarrierFactory,
    CollectiveFactory,
    CommuneFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    carrier_user,
    staff_user,
)


@dataclass
class CafWorld:
    caf: object
    territory: object
    carrier: object
    other_carrier: object
    project: object
    other_project: object
    carrier_user: object
    other_carrier_user: object
    advisor: object
    processor: object
    payer: object  # a second GC: who validated a declaration does not pay it
    committee: object
    caf_admin: object


def build_caf_world(name):
    caf = CafFactory(name=name)
    CafPolicy.objects.create(caf=caf)
    DocumentType.objects.create(caf=caf, name="RIB de la structure", is_required=True)
    territory = TerritoryFactory(caf=caf)
    commune = CommuneFactory(territory=territory)
    campaign = CampaignFactory(caf=caf)
    carrier = CarrierFactory(commune=commune)
    other_carrier = CarrierFactory(commune=commune)
    project = ProjectFactory(carrier=carrier, campaign=campaign)
    other_project = ProjectFactory(carrier=other_carrier, campaign=campaign)
    CollectiveFactory(project=project)
    return CafWorld(
        caf=caf,
        territory=territory,
        carrier=carrier,
        other_carrier=other_carrier,
        project=project,
        other_project=other_project,
        carrier_user=carrier_user(carrier),
        other_carrier_user=carrier_user(other_carrier),
        advisor=staff_user(caf, Role.ADVISOR, territories=[territory]),
        processor=staff_user(caf, Role.PROCESSOR),
        payer=staff_user(caf, Role.PROCESSOR),
        committee=staff_user(caf, Role.COMMITTEE),
        caf_admin=staff_user(caf, Role.CAF_ADMIN),
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached values (clasportal/cached.py) never outlive the test that made them: a rolled
    back transaction sends no signal to forget them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def loire(db):
    return build_caf_world("Loire")


@pytest.fixture
def vosges(db):
    return build_caf_world("Vosges")


@pytest.fixture
def national_admin(db):
    return UserFactory(is_national_admin=True)


class HeldClock:
    """The wall clock (`time.time`) held still, moved only by `advance`."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds

    def pause(self):
        """A person back after a long pause: the session's expiry is wound again and every cached
        value (unread count, barème, figures…) has expired, whatever the clock read before."""
        from django.conf import settings
        from django.core.cache import cache

        self.advance(settings.SESSION_REFRESH_SECONDS + 1)
        cache.clear()


@pytest.fixture
def held_clock(monkeypatch):
    """For query counts: some costs of a page fall due with the wall clock, not with the data —
    the session's expiry wound every SESSION_REFRESH_SECONDS (clasportal.middleware, a save in
    its savepoint), the cached values of clasportal.cached (the menu's unread count for ten
    minutes, the barème for an hour: LocMemCache entries in tests). On a machine slow enough for
    a warm-up and its measured page to straddle one of those deadlines, the page counted one
    query more (or three) for a reason the test did not set up; held still, the clock moves only
    when the test says so (`pause`)."""
    import time

    clock = HeldClock(time.time())
    monkeypatch.setattr(time, "time", clock)
    return clock
