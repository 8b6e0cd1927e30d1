"""Each Caf's rules as its policy, not code (issue 16): sessions per week and their length, the
rural exception per collective from its commune (or the advisor's decision), the staff ratio
blocking or advisory, a minimum share of co-financing other than the Caf, one request per school
level; and a rule changed later never changes a decision already taken."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import CafPolicy
from funding.recompute import recompute
from projects import workflow
from projects.completeness import findings, missing_items
from projects.forms import CollectiveForm
from projects.models import (
    BudgetLine,
    Collective,
    Intervenant,
    Project,
    ProjectEvent,
    SchoolLevel,
)

from .declaration_helpers import approve
from .factories import CollectiveFactory, CommuneFactory
from .request_helpers import make_complete

pytestmark = pytest.mark.django_db

LANDES = {
    "min_weeks": 28,
    "sessions_per_week": 2,
    "session_minutes": 60,
    "staff_ratio_blocking": False,
    "min_cofinancing_share": Decimal("0.20"),
}


def set_policy(world, **values):
    CafPolicy.objects.filter(caf=world.caf).update(**values)


def fresh(project):
    """The project read again, so that its Caf's policy is read again too."""
    return Project.objects.select_related("campaign__caf", "carrier").get(pk=project.pk)


def collective_data(commune, **overrides):
    data = {
        "name": "Groupe A",
        "school_level": "elementaire",
        "commune": str(commune.pk),
        "planned_children": "10",
        "planned_weeks": "30",
        "weekdays": ["mardi", "jeudi"],
        "sessions_per_week": "2",
        "session_minutes": "90",
        "start_date": "2026-09-21",
        "end_date": "2027-06-18",
    }
    data.update(overrides)
    return data


def collective_form(world, commune, instance=None, **overrides):
    return CollectiveForm(
        collective_data(commune, **overrides), project=fresh(world.project), instance=instance
    )


def test_landes_accepts_two_one_hour_sessions_and_counts_28_weeks(loire):
    set_policy(loire, **LANDES)
    commune = loire.carrier.commune
    form = collective_form(loire, commune, session_minutes="60")
    assert form.is_valid(), form.errors
    texts = " ".join(str(field.help_text) + str(field.label) for field in form)
    assert "28 semaines au moins" in texts and "2 séances de 60 min" in texts
    assert "27" not in texts and "Loire" not in texts
    # Below the Caf's 28 weeks the PS is reduced: the check names 28, not the Loire's 27.
    project = make_complete(fresh(loire.project))
    project.collectives.update(planned_weeks=27, session_minutes=60)
    weeks = [f for f in findings(fresh(project)) if f.code == "weeks_below_minimum"]
    assert len(weeks) == 1 and "minimum de 28" in weeks[0].message
    project.collectives.update(planned_weeks=28)
    assert not [f for f in findings(fresh(project)) if f.code == "weeks_below_minimum"]
    # The Loire's own referential still refuses 2 × 60 min.
    set_policy(loire, sessions_per_week=2, session_minutes=90)
    form = collective_form(loire, commune, session_minutes="60")
    assert not form.is_valid()
    assert form.errors["session_minutes"] == [
        "2 × 60 min par semaine : votre Caf demande 2 séances de 90 min au moins par semaine."
    ]


def test_loire_refuses_one_three_hour_session_in_town_and_accepts_two_hours_rural(loire):
    town = loire.carrier.commune
    rural = CommuneFactory(territory=loire.territory, is_rural=True)
    form = collective_form(loire, town, sessions_per_week="1", session_minutes="180")
    assert not form.is_valid()
    assert "votre Caf demande 2 séances de 90 min" in form.errors["session_minutes"][0]
    form = collective_form(loire, rural, sessions_per_week="1", session_minutes="120")
    assert form.is_valid(), form.errors
    assert form.instance.is_rural
    # In town, the session rule also blocks the deposit of a collective saved before.
    project = make_complete(fresh(loire.project))
    project.collectives.update(sessions_per_week=1, session_minutes=180)
    messages = [m.message for m in missing_items(fresh(project))]
    assert any("1 × 180 min par semaine ; votre Caf demande 2 séances" in m for m in messages)


def test_rural_comes_from_the_commune_and_the_advisor_overrides_it_with_a_reason(client, loire):
    rural_commune = CommuneFactory(territory=loire.territory, is_rural=True)
    client.force_login(loire.carrier_user)
    url = reverse("projects:collective_create", args=[loire.project.pk])
    page = client.get(url).content.decode()
    assert "is_rural" not in page  # the carrier no longer declares it
    data = collective_data(
        rural_commune,
        **{
            "is_rural": "",  # a forged field is ignored
            "planned_children": "6",
            "sessions_per_week": "1",
            "session_minutes": "120",
            "intervenants-TOTAL_FORMS": "1",
            "intervenants-INITIAL_FORMS": "0",
            "intervenants-MIN_NUM_FORMS": "0",
            "intervenants-MAX_NUM_FORMS": "8",
            "intervenants-0-full_name": "Inès Morel",
            "intervenants-0-qualification": "BAFA",
        },
    )
    assert client.post(url, data).status_code == 302
    collective = Collective.objects.get(project=loire.project, name="Groupe A")
    assert collective.is_rural and collective.rural_override is None
    # The Caf reclassifies the commune: a draft's collective follows it.
    rural_commune.is_rural = False
    rural_commune.save()
    collective.refresh_from_db()
    assert not collective.is_rural
    rural_commune.is_rural = True
    rural_commune.save()
    collective.refresh_from_db()
    assert collective.is_rural

    rural_url = reverse("committee:review_rural", args=[loire.project.pk, collective.pk])
    prefix = f"rural-{collective.pk}"
    assert client.post(rural_url, {f"{prefix}-status": "urbain"}).status_code == 403
    client.force_login(loire.advisor)
    review_page = client.get(reverse("committee:review", args=[loire.project.pk]))
    assert "Revoir le milieu rural de ce collectif" in review_page.content.decode()
    response = client.post(rural_url, {f"{prefix}-status": "urbain", f"{prefix}-reason": ""})
    assert response.status_code == 200
    assert "Indiquez le motif de ce classement." in response.content.decode()
    collective.refresh_from_db()
    assert collective.is_rural and collective.rural_override is None
    response = client.post(
        rural_url,
        {f"{prefix}-status": "urbain", f"{prefix}-reason": "Bourg-centre de 4 000 habitants"},
    )
    assert response.status_code == 302
    collective.refresh_from_db()
    assert collective.rural_override is False and not collective.is_rural
    assert collective.rural_override_reason == "Bourg-centre de 4 000 habitants"
    event = ProjectEvent.objects.get(project=loire.project, action="rural_override")
    assert event.actor == loire.advisor
    assert event.data["before"] == {"override": None, "is_rural": True, "reason": ""}
    assert event.data["after"] == {
        "override": False,
        "is_rural": False,
        "reason": "Bourg-centre de 4 000 habitants",
    }
    assert "Bourg-centre" in event.note
    # The commune's flag no longer moves an overridden collective.
    rural_commune.is_rural = False
    rural_commune.save()
    rural_commune.is_rural = True
    rural_commune.save()
    collective.refresh_from_db()
    assert not collective.is_rural
    # Now urban, its 6 children and 1 × 2 h need justifying, and a second intervenant.
    messages = " ".join(m.message for m in missing_items(fresh(loire.project)))
    assert "hors de la fourchette 8–12" in messages
    assert "il en faut au moins 2" in messages
    assert "votre Caf demande 2 séances de 90 min" in messages
    # Back to the commune's flag.
    client.post(rural_url, {f"{prefix}-status": "commune", f"{prefix}-reason": "Erreur"})
    collective.refresh_from_db()
    assert collective.is_rural and collective.rural_override is None


def test_children_range_applies_per_collective(loire):
    rural_commune = CommuneFactory(territory=loire.territory, is_rural=True)
    project = make_complete(fresh(loire.project))
    town = project.collectives.get()
    town.name, town.planned_children = "B en ville", 5
    town.save()
    village = CollectiveFactory(
        project=project,
        name="A au village",
        commune=rural_commune,
        is_rural=True,
        planned_children=5,
        weekdays=["mardi"],
    )
    for name in ("Inès Morel", "Hugo Blanc"):
        Intervenant.objects.create(collective=village, full_name=name, qualification="BAFA")
    messages = [m.message for m in missing_items(fresh(project))]
    assert any(m.startswith("B en ville : 5 enfants, hors de la fourchette 8–12") for m in messages)
    assert not any(m.startswith("A au village") for m in messages)
    found = [f for f in findings(fresh(project)) if f.code == "children_out_of_range"]
    assert len(found) == 1
    assert "collectif 2 : 5 enfants pour 8 à 12" in found[0].message
    assert "collectif 1" not in found[0].message
    # The form says the same for the town collective.
    form = collective_form(loire, loire.carrier.commune, instance=town, planned_children="5")
    assert not form.is_valid()
    assert "de 8 à 12 enfants par collectif." in form.errors["children_justification"][0]


def test_staff_ratio_blocking_or_advisory(loire):
    project = make_complete(fresh(loire.project))
    collective = project.collectives.get()
    collective.intervenants.first().delete()
    messages = [m.message for m in missing_items(fresh(project))]
    assert any("1 intervenant déclaré, il en faut au moins 2" in m for m in messages)
    with pytest.raises(workflow.TransitionError):
        workflow.submit(project.pk, by=loire.carrier_user)
    set_policy(loire, staff_ratio_blocking=False)
    assert not [m for m in missing_items(fresh(project)) if "intervenant" in m.message]
    advisory = [f for f in findings(fresh(project)) if f.code == "staff_ratio_advisory"]
    assert len(advisory) == 1 and advisory[0].severity == "warning"
    assert "taux d'encadrement indicatif" in advisory[0].message
    deposited = workflow.submit(project.pk, by=loire.carrier_user)
    assert deposited.status == "submitted"
    assert "staff_ratio_advisory" in {f["code"] for f in deposited.findings}


def test_cofinancing_share_refused_then_accepted(client, loire):
    set_policy(loire, min_cofinancing_share=Decimal("0.20"))
    client.force_login(loire.carrier_user)
    url = reverse("projects:step", args=[loire.project.pk, "budget"])
    response = client.post(
        url,
        {"charge_64": "10 000", "subsidy_caf": "8 765,44", "subsidy_commune": "1 234,56"},
    )
    assert response.status_code == 200
    text = response.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert (
        "Votre Caf demande au moins 20 % de cofinancements hors Caf : 1 234,56 € sur "
        "10 000,00 € de charges, soit 12,3 %." in text
    )
    # The amounts are kept; the deposit waits for enough co-financing.
    assert BudgetLine.objects.get(project=loire.project, financer="commune").amount == Decimal(
        "1234.56"
    )
    project = make_complete(fresh(loire.project))
    messages = [m.message for m in missing_items(fresh(project)) if m.step == "budget"]
    assert any("au moins 20\xa0% de cofinancements hors Caf" in m for m in messages)
    response = client.post(
        url, {"charge_64": "10 000", "subsidy_caf": "8 000", "subsidy_commune": "2 000"}
    )
    assert response.status_code == 302
    assert not [m for m in missing_items(fresh(project)) if m.step == "budget"]
    # Without a rule (the national default), nothing is asked.
    set_policy(loire, min_cofinancing_share=Decimal("0"))
    BudgetLine.objects.filter(project=project, financer="commune").delete()
    assert not [m for m in missing_items(fresh(project)) if m.step == "budget"]


def test_one_request_per_school_level(loire):
    set_policy(loire, one_level_per_request=True)
    project = make_complete(fresh(loire.project))
    existing = project.collectives.get()
    assert existing.school_level == SchoolLevel.ELEMENTAIRE
    form = collective_form(loire, loire.carrier.commune, school_level="college", name="Groupe B")
    assert not form.is_valid()
    assert form.errors["school_level"] == [
        f"Votre Caf demande une demande par niveau scolaire : « {existing.name} » accueille le "
        "niveau élémentaire. Choisissez le même niveau ou déposez une autre demande."
    ]
    # Editing the only collective to another level is allowed.
    form = collective_form(loire, loire.carrier.commune, instance=existing, school_level="college")
    assert form.is_valid(), form.errors
    # A second level saved anyway (before the rule) stops the deposit.
    CollectiveFactory(project=project, school_level=SchoolLevel.COLLEGE, weekdays=["mardi"])
    messages = [m.message for m in missing_items(fresh(project))]
    assert any("une demande par niveau scolaire" in m for m in messages)
    set_policy(loire, one_level_per_request=False)
    form = collective_form(loire, loire.carrier.commune, school_level="college", name="Groupe C")
    assert form.is_valid(), form.errors


def test_a_rule_changed_later_never_changes_a_decision_taken(loire):
    project = approve(loire)
    decision = project.agenda_items.get().decision
    computation = decision.computation
    right, inputs = computation.right, computation.inputs
    deposit_findings = list(project.findings)
    assert recompute().differences == []
    # The Caf tightens every rule after the decision.
    set_policy(
        loire,
        min_weeks=40,
        sessions_per_week=3,
        session_minutes=120,
        min_children=11,
        min_cofinancing_share=Decimal("0.90"),
        one_level_per_request=True,
    )
    computation.refresh_from_db()
    assert (computation.right, computation.inputs) == (right, inputs)
    assert recompute().differences == []
    project = fresh(project)
    assert project.status == "approved" and project.findings == deposit_findings
    # A decided collective does not follow its commune any more either.
    commune = project.collectives.get().commune
    commune.is_rural = True
    commune.save()
    assert not project.collectives.get().is_rural


def test_a_deposited_request_keeps_the_findings_of_its_deposit(loire):
    """Choice: a request is checked against the rules in force when it is deposited; the
    findings stored then are what the advisor reviews. A later change applies to the next
    deposit (e.g. after a request for changes)."""
    project = make_complete(fresh(loire.project))
    project = workflow.submit(project.pk, by=loire.carrier_user)
    stored = list(project.findings)
    set_policy(loire, min_weeks=40)
    assert fresh(project).findings == stored
    assert any(f.code == "weeks_below_minimum" for f in findings(fresh(project)))
