import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clasportal.management.commands.seed_demo import make_siret
from clasportal.models import Caf, Commune, Role, StaffProfile, Territory
from projects.models import (
    Campaign,
    Carrier,
    CarrierKind,
    CarrierMembership,
    Collective,
    Project,
    SchoolLevel,
    Situation,
)

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CafFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caf

    number = factory.Sequence(lambda n: f"{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Département {n}")
    # A real metropolitan number (01–95): "00" or "96" failed the set-up form's own check.
    departement = factory.Sequence(lambda n: f"{n % 95 + 1:02d}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    caf = factory.SubFactory(CafFactory)
    name = factory.Sequence(lambda n: f"Territoire {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"{10000 + n:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    postcode = "42000"
    territory = factory.SubFactory(TerritoryFactory)
    caf = factory.SelfAttribute("territory.caf")


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier

    legal_name = factory.Sequence(lambda n: f"Association numéro {n}")
    siret = factory.Sequence(lambda n: make_siret(10_000 + n))
    kind = CarrierKind.ASSOCIATION
    commune = factory.SubFactory(CommuneFactory)
    caf = factory.SelfAttribute("commune.caf")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    caf = factory.SubFactory(CafFactory)
    year = 2026
    # Open on the day the tests run: the window rule is tested with explicit dates.
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    carrier = factory.SubFactory(CarrierFactory)
    campaign = factory.SubFactory(CampaignFactory, caf=factory.SelfAttribute("..carrier.caf"))
    title = factory.Sequence(lambda n: f"Projet {n}")
    situation = Situation.RENEWAL


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collective

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Groupe {n}")
    school_level = SchoolLevel.ELEMENTAIRE
    commune = factory.SelfAttribute("project.carrier.commune")
    planned_children = 10
    planned_weeks = 30


def carrier_user(carrier, **kwargs):
    user = UserFactory(**kwargs)
    CarrierMembership.objects.create(carrier=carrier, user=user)
    return user


def staff_user(caf, role=Role.ADVISOR, territories=(), **kwargs):
    user = UserFactory(**kwargs)
    profile = StaffProfile.objects.create(user=user, caf=caf, role=role)
    profile.territories.set(territories)
    return user
