"""Co-financers at the table (issue 18, piece B): schemes and their rules, requests in the
budget step, envelopes, each financer's decision, the agrément list with every financer."""

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from committee import cofinancing, exports
from committee.models import (
    AgendaItem,
    CommitteeSession,
    Envelope,
    FinancerDecision,
    FinancingScheme,
    PartnerOrganisation,
    SchemeRequest,
)
from projects.models import BudgetLine, Carrier, ProjectEvent, ProjectStatus

from .factories import CollectiveFactory, ProjectFactory
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def words(text):
    text = html.unescape(text)
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def partners(vosges):
    campaign = vosges.project.campaign
    msa = PartnerOrganisation.objects.create(
        caf=vosges.caf, kind="msa", name="MSA Lorraine", budget_label="MSA-LORRAINE"
    )
    cd = PartnerOrganisation.objects.create(
        caf=vosges.caf, kind="departement", name="Conseil départemental des Vosges"
    )
    forfait = FinancingScheme.objects.create(
        partner=msa,
        campaign=campaign,
        name="Grandir en milieu rural",
        rule=FinancingScheme.Rule.PER_CARRIER,
        amount=Decimal("1000"),
        requires_rural_or_fragile=True,
    )
    tne = FinancingScheme.objects.create(
        partner=cd,
        campaign=campaign,
        name="Bonus parents TNE",
        rule=FinancingScheme.Rule.PER_COLLECTIVE,
        minimum=Decimal("100"),
        maximum=Decimal("500"),
        requires_parents_digital=True,
    )
    return msa, cd, forfait, tne


@pytest.fixture
def second_project(vosges):
    """The carrier's second project of the same campaign, with two rural collectives."""
    project = ProjectFactory(carrier=vosges.carrier, campaign=vosges.project.campaign)
    CollectiveFactory(project=project, is_rural=True)
    CollectiveFactory(project=project, is_rural=True)
    vosges.project.collectives.update(is_rural=True)
    return project


def budget_post(client, project, data):
    return client.post(reverse("projects:step", args=[project.pk, "budget"]), data)


def test_msa_forfait_is_asked_once_per_carrier_and_sets_the_budget_line(
    client, vosges, partners, second_project
):
    msa, _, forfait, _ = partners
    client.force_login(vosges.carrier_user)
    response = budget_post(
        client, vosges.project, {"charge_64": "9 000", f"scheme{forfait.pk}-asked": "on"}
    )
    assert response.status_code == 302
    asked = SchemeRequest.objects.get(project=vosges.project)
    assert asked.amount == Decimal("1000.00")
    # The budget's MSA line comes from the request, labelled as the partner writes it.
    line = BudgetLine.objects.get(project=vosges.project, account="74", financer="msa")
    assert line.amount == Decimal("1000.00") and line.label == "MSA-LORRAINE"
    page = client.get(reverse("projects:step", args=[vosges.project.pk, "budget"]))
    text = words(page.content.decode())
    assert "Grandir en milieu rural" in text and "1 000,00 € par porteur et par campagne" in text
    # The same carrier's second project cannot ask it again: the message sits by the field.
    response = budget_post(
        client, second_project, {"charge_64": "5 000", f"scheme{forfait.pk}-asked": "on"}
    )
    assert response.status_code == 200
    text = words(response.content.decode())
    assert (
        "Le forfait « Grandir en milieu rural » (1 000,00 €) est accordé une seule fois par "
        f"porteur et par campagne : il est déjà demandé pour le projet « {vosges.project.title} »."
        in text
    )
    assert not SchemeRequest.objects.filter(project=second_project).exists()
    # The other entries are kept.
    assert BudgetLine.objects.get(project=second_project, account="64").amount == 5000
    # Unticked, the request and its derived line go.
    response = budget_post(client, vosges.project, {"charge_64": "9 000"})
    assert not SchemeRequest.objects.filter(project=vosges.project).exists()
    assert not BudgetLine.objects.filter(project=vosges.project, financer="msa").exists()


def test_scheme_conditions_are_checked(vosges, partners):
    _, _, forfait, tne = partners
    vosges.project.collectives.update(is_rural=False)
    with pytest.raises(cofinancing.FinancerError) as refused:
        cofinancing.check_request(vosges.project, forfait)
    assert "commune rurale ou fragile" in refused.value.message
    with pytest.raises(cofinancing.FinancerError) as refused:
        cofinancing.check_request(vosges.project, tne, collectives=1, amount=Decimal("200"))
    assert refused.value.field == "parents_digital_action"


def test_tne_amount_outside_bounds_is_refused_next_to_the_field(
    client, vosges, partners, second_project
):
    _, _, _, tne = partners
    client.force_login(vosges.carrier_user)
    prefix = f"scheme{tne.pk}"
    data = {
        "charge_64": "8 000",
        "product_70": "300",
        f"{prefix}-asked": "on",
        f"{prefix}-collectives": "2",
        f"{prefix}-amount": "600",
        f"{prefix}-parents_digital_action": "Ateliers ENT et Pronote avec les parents",
    }
    response = budget_post(client, second_project, data)
    assert response.status_code == 200
    page = response.content.decode()
    text = words(page)
    message = (
        "« Bonus parents TNE » va de 100,00 € à 500,00 € par collectif : 600,00 € n'est pas "
        "dans ces bornes."
    )
    assert message in text
    # Next to the amount field (its error block), and the other entries kept.
    assert f'id="err-{prefix}-amount"' in page
    assert not SchemeRequest.objects.filter(project=second_project).exists()
    assert BudgetLine.objects.get(project=second_project, account="70").amount == 300
    response = budget_post(client, second_project, data | {f"{prefix}-amount": "50"})
    assert "50,00 € n'est pas dans ces bornes" in words(response.content.decode())
    response = budget_post(client, second_project, data | {f"{prefix}-amount": "400"})
    assert response.status_code == 302
    asked = SchemeRequest.objects.get(project=second_project)
    assert (asked.collectives, asked.amount) == (2, Decimal("800.00"))
    line = BudgetLine.objects.get(project=second_project, financer="departement")
    assert line.amount == Decimal("800.00") and line.label == "Conseil départemental des Vosges"


def open_session(vosges, *projects):
    session = CommitteeSession.objects.create(
        caf=vosges.caf,
        campaign=vosges.project.campaign,
        date=datetime.date(2026, 10, 14),
        place="Épinal",
        created_by=vosges.caf_admin,
    )
    session.members.add(vosges.committee)
    items = []
    for position, project in enumerate(projects):
        project.status = ProjectStatus.PROPOSED
        project.save(update_fields=["status"])
        items.append(AgendaItem.objects.create(session=session, project=project, position=position))
    return session, items


def test_msa_forfait_is_granted_once_per_carrier_whatever_its_projects(
    vosges, partners, second_project
):
    msa, _, forfait, _ = partners
    session, (first, second) = open_session(vosges, vosges.project, second_project)
    decide = cofinancing.record_financer_decision
    decide(
        first.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
        amount=Decimal("1000"),
    )  # fmt: skip
    with pytest.raises(cofinancing.FinancerError) as refused:
        decide(
            second.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
            amount=Decimal("1000"),
        )  # fmt: skip
    assert "déjà accordé à ce porteur pour cette campagne" in refused.value.message
    assert vosges.project.title in refused.value.message
    # Not another amount either: the forfait is the forfait.
    with pytest.raises(cofinancing.FinancerError):
        decide(
            second.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
            amount=Decimal("500"),
        )  # fmt: skip
    # Refusing it on the second project is fine; the MSA has committed 1 000 € once.
    decide(second.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="refused")
    board = {row["financer"]: row for row in cofinancing.envelope_board(session)}
    assert board["MSA Lorraine"]["committed"] == Decimal("1000")
    assert FinancerDecision.objects.filter(outcome="granted").count() == 1
    # Taken again on the first project, the decision replaces itself (no double count).
    decide(
        first.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
        amount=Decimal("1000"),
    )  # fmt: skip
    assert cofinancing.partner_committed(session.campaign, msa) == Decimal("1000")
    # Only the session's members record a financer's decision.
    with pytest.raises(cofinancing.FinancerError):
        decide(
            first.pk, by=vosges.caf_admin, partner=msa, scheme=forfait, outcome="refused"
        )  # fmt: skip


def test_tne_decision_outside_bounds_is_refused(vosges, partners, second_project):
    _, cd, _, tne = partners
    SchemeRequest.objects.create(
        project=second_project, scheme=tne, collectives=2, amount=Decimal("800")
    )
    _, (item,) = open_session(vosges, second_project)
    with pytest.raises(cofinancing.FinancerError) as refused:
        cofinancing.record_financer_decision(
            item.pk, by=vosges.committee, partner=cd, scheme=tne, outcome="granted",
            amount=Decimal("1200"),
        )  # fmt: skip
    assert "pour 2 collectifs, entre 200,00 € et 1 000,00 €" in words(refused.value.message)
    assert not FinancerDecision.objects.exists()


def test_envelope_overrun_is_warned_confirmed_and_traced(client, vosges, partners, second_project):
    _, cd, _, tne = partners
    Envelope.objects.create(
        caf=vosges.caf, campaign=vosges.project.campaign, partner=cd, amount=Decimal("500")
    )
    SchemeRequest.objects.create(
        project=second_project, scheme=tne, collectives=2, amount=Decimal("800")
    )
    session, (item,) = open_session(vosges, second_project)
    client.force_login(vosges.committee)
    page = client.get(reverse("committee:session_detail", args=[session.pk]))
    board = {row["financer"]: row for row in page.context["board"]}
    assert board["Conseil départemental des Vosges"]["proposed"] == Decimal("800")
    assert board["Conseil départemental des Vosges"]["short"]
    url = reverse("committee:session_financer_decide", args=[session.pk, item.pk])
    data = {
        f"fin{item.pk}-funding": f"s{tne.pk}",
        f"fin{item.pk}-outcome": "granted",
        f"fin{item.pk}-amount": "800",
    }
    response = client.post(url, data)
    # Warned first: a confirmation page, nothing recorded yet.
    assert response.status_code == 200
    text = words(response.content.decode())
    assert "Dépasser l'enveloppe ?" in text
    assert (
        "L'enveloppe de Conseil départemental des Vosges pour la campagne est de 500,00 € : "
        "0,00 € déjà engagés, cette décision de 800,00 € la dépasserait de 300,00 €." in text
    )
    assert not FinancerDecision.objects.exists()
    assert not ProjectEvent.objects.filter(action="envelope_overrun").exists()
    response = client.post(url, data | {"confirm": "1"})
    assert response.status_code == 302
    decision = FinancerDecision.objects.get()
    assert (decision.partner, decision.scheme, decision.amount) == (cd, tne, Decimal("800"))
    event = ProjectEvent.objects.get(action="envelope_overrun")
    assert event.actor == vosges.committee and event.project == second_project
    assert event.data["envelope"] == "500.00" and event.data["overrun"] == "300.00"
    assert ProjectEvent.objects.filter(action="financer_decision").count() == 1
    page = client.get(reverse("committee:session_detail", args=[session.pk]))
    board = {row["financer"]: row for row in page.context["board"]}
    assert board["Conseil départemental des Vosges"]["exceeded"]
    assert "dépassée" in page.content.decode()


def test_agrement_pdf_xlsx_and_letters_show_every_financer_and_totals(
    vosges, partners, second_project
):
    msa, cd, forfait, tne = partners
    other = ProjectFactory(carrier=vosges.other_carrier, campaign=vosges.project.campaign)
    CollectiveFactory(project=other, is_rural=True)
    SchemeRequest.objects.create(
        project=second_project, scheme=tne, collectives=2, amount=Decimal("600")
    )
    session, (first, second, third) = open_session(vosges, vosges.project, second_project, other)
    decide = cofinancing.record_financer_decision
    for item in (first, third):
        decide(
            item.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
            amount=Decimal("1000"),
        )  # fmt: skip
    decide(
        second.pk, by=vosges.committee, partner=cd, scheme=tne, outcome="granted",
        amount=Decimal("600"),
    )  # fmt: skip
    decide(third.pk, by=vosges.committee, partner=cd, scheme=None, outcome="refused")
    text = words(pdf_text(exports.agrement_pdf(session)))
    assert "MSA Lorraine" in text and "Conseil départemental des Vosges" in text
    assert "Total MSA Lorraine 2 000,00 €" in text
    assert "Total Conseil départemental des Vosges 600,00 €" in text
    # The partner's own list: its projects, its column, its total.
    own = words(pdf_text(exports.agrement_pdf(session, partner=cd)))
    assert "Liste d'agrément de Conseil départemental des Vosges" in own
    assert "Total Conseil départemental des Vosges 600,00 €" in own
    assert "Total MSA Lorraine" not in own and vosges.project.title not in own
    sheet = load_workbook(io.BytesIO(exports.agrement_xlsx(session))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    headers = rows[2]
    msa_col = headers.index("MSA Lorraine (€)")
    cd_col = headers.index("Conseil départemental des Vosges (€)")
    assert rows[-1][0] == "Total"
    assert Decimal(str(rows[-1][msa_col])) == 2000 and Decimal(str(rows[-1][cd_col])) == 600
    own_sheet = load_workbook(io.BytesIO(exports.agrement_xlsx(session, partner=cd))).active
    own_rows = [[c.value for c in row] for row in own_sheet.iter_rows()]
    assert "liste de Conseil départemental des Vosges" in own_rows[0][0]
    assert own_rows[2][11:] == ["Conseil départemental des Vosges (€)"]
    projects = {r[3] for r in own_rows[3:] if r[3] and r[0] != "Total"}
    assert projects == {second_project.title, other.title}
    # Each carrier's letter lists every financer's decision on its projects.
    letters = exports.letters_by_carrier(session)
    letter = words(pdf_text(exports.letter_pdf(session, letters[vosges.carrier.pk])))
    assert "MSA Lorraine" in letter and "Grandir en milieu rural" in letter
    assert "Bonus parents TNE" in letter and "600,00 €" in letter


def test_partner_list_is_an_export_job(client, vosges, partners, second_project):
    _, cd, _, tne = partners
    session, (item,) = open_session(vosges, second_project)
    SchemeRequest.objects.create(project=second_project, scheme=tne, collectives=1, amount=300)
    cofinancing.record_financer_decision(
        item.pk, by=vosges.committee, partner=cd, scheme=tne, outcome="granted",
        amount=Decimal("300"),
    )  # fmt: skip
    client.force_login(vosges.committee)
    url = reverse("committee:export_start", args=[session.pk])
    response = client.post(url, {"kind": "partner_pdf", "partner": str(cd.pk)})
    job = session.exports.get(kind="partner_pdf")
    assert job.status == "done" and job.filters == {"partner": cd.pk}
    download = client.get(reverse("committee:export_download", args=[session.pk, job.pk]))
    assert "Total Conseil départemental des Vosges 300,00 €" in words(
        pdf_text(b"".join(download.streaming_content))
    )
    # Another Caf's partner is refused.
    stranger = PartnerOrganisation.objects.create(
        caf=ProjectFactory().campaign.caf, kind="msa", name="MSA ailleurs"
    )
    response = client.post(url, {"kind": "partner_xlsx", "partner": str(stranger.pk)})
    assert response.status_code == 302
    assert not session.exports.filter(kind="partner_xlsx").exists()


def test_caf_admin_manages_schemes_and_envelopes(client, vosges, partners):
    msa, cd, _, _ = partners
    campaign = vosges.project.campaign
    client.force_login(vosges.caf_admin)
    page = client.get(reverse("committee:scheme_list"), {"campagne": campaign.pk})
    assert "Grandir en milieu rural" in page.content.decode()
    data = {
        "partner": msa.pk,
        "campaign": campaign.pk,
        "name": "Projets ruraux nouveaux",
        "rule": "per_collective",
        "minimum": "500",
        "maximum": "100",
        "is_active": "on",
    }
    response = client.post(reverse("committee:scheme_create"), data)
    assert response.status_code == 200
    assert "Le maximum doit être au moins égal au minimum." in words(response.content.decode())
    response = client.post(
        reverse("committee:scheme_create"), data | {"rule": "free_minimum", "maximum": ""}
    )
    assert response.status_code == 302
    scheme = FinancingScheme.objects.get(name="Projets ruraux nouveaux")
    assert (scheme.minimum, scheme.maximum, scheme.amount) == (Decimal("500"), None, None)
    envelope_url = f"{reverse('committee:envelope_set')}?campagne={campaign.pk}"
    response = client.post(envelope_url, {"financer": str(cd.pk), "amount": "12 000"})
    assert response.status_code == 302
    client.post(envelope_url, {"financer": "caf", "amount": "250 000"})
    client.post(envelope_url, {"financer": str(cd.pk), "amount": "15 000"})
    assert Envelope.objects.get(partner=cd).amount == Decimal("15000")
    assert Envelope.objects.get(partner=None).amount == Decimal("250000")
    trace = ProjectEvent.objects.filter(action="envelope_set").order_by("pk").last()
    assert trace.data == {"before": "12000.00", "after": "15000"}
    response = client.post(envelope_url, {"financer": str(cd.pk), "amount": "-5"})
    assert "Un montant ne peut pas être négatif." in words(response.content.decode())
    # Advisors and committee members do not manage them.
    for user in (vosges.advisor, vosges.committee):
        client.force_login(user)
        assert client.get(reverse("committee:scheme_list")).status_code == 403
        assert client.post(envelope_url, {"financer": "caf", "amount": "1"}).status_code == 403


def test_caf_envelope_overrun_asks_before_the_decision(client, vosges, second_project):
    from .request_helpers import make_complete

    Envelope.objects.create(
        caf=vosges.caf, campaign=vosges.project.campaign, partner=None, amount=Decimal("100")
    )
    make_complete(second_project)
    session, (item,) = open_session(vosges, second_project)
    client.force_login(vosges.committee)
    url = reverse("committee:session_decide", args=[session.pk, item.pk])
    data = {f"item{item.pk}-outcome": "approved", f"item{item.pk}-collectives": "1"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Dépasser l'enveloppe de la Caf ?" in words(response.content.decode())
    assert not hasattr(AgendaItem.objects.get(pk=item.pk), "decision")
    response = client.post(url, data | {"confirm": "1"})
    assert response.status_code == 302
    assert AgendaItem.objects.get(pk=item.pk).decision.outcome == "approved"
    event = ProjectEvent.objects.get(action="envelope_overrun")
    assert event.data["financer"] == "la Caf" and event.data["envelope"] == "100.00"


# The session page (issue 21): the session with who sits, its agenda's length and the Caf's
# envelope row; one page of items, its financers and requests; the partners with their envelope
# rows; the schemes; the attendance; the exports; and the layout's own (login, session, the
# test's savepoints: 5; the session is no longer written on every page). Whatever the agenda, the financers or the members.
AGENDA_QUERIES = 13


# The wall clock held still: no cache expiry or session refresh between the counts.
@pytest.mark.usefixtures("held_clock")
def test_agenda_is_paginated_with_constant_queries_financers_included(
    client, vosges, partners, django_assert_num_queries
):
    msa, cd, forfait, tne = partners
    session, (first,) = open_session(vosges, vosges.project)
    FinancerDecision.objects.create(
        project=vosges.project, item=first, partner=msa, scheme=forfait, outcome="granted",
        amount=1000,
    )  # fmt: skip
    client.force_login(vosges.committee)
    url = reverse("committee:session_detail", args=[session.pk])
    client.get(url)  # warm the per-process caches (content types, sessions)
    with django_assert_num_queries(AGENDA_QUERIES):
        page = client.get(url)
    assert page.context["page"].paginator.count == 1
    for index in range(59):
        project = ProjectFactory(campaign=vosges.project.campaign)
        CollectiveFactory(project=project)
        item = AgendaItem.objects.create(session=session, project=project, position=index + 1)
        SchemeRequest.objects.create(project=project, scheme=tne, collectives=1, amount=300)
        FinancerDecision.objects.create(
            project=project, item=item, partner=cd, scheme=tne, outcome="granted", amount=300
        )
        FinancerDecision.objects.create(
            project=project, item=item, partner=msa, outcome="refused", amount=0
        )
    with django_assert_num_queries(AGENDA_QUERIES):
        page = client.get(url)
    assert page.context["page"].paginator.count == 60
    assert len(page.context["rows"]) == 25
    assert "Page 1 sur 3" in page.content.decode()
    with django_assert_num_queries(AGENDA_QUERIES):
        last = client.get(url, {"page": "3"})
    assert len(last.context["rows"]) == 10
    assert all(row["financers"] for row in last.context["rows"])


def test_demo_vosges_cofinancers(db):
    from django.core.management import call_command

    call_command("seed_demo", "--reset", verbosity=0)
    carrier = Carrier.objects.get(legal_name="Familles rurales de la Haute-Vologne")
    projects = carrier.projects.filter(campaign__year=2026)
    assert projects.count() == 2
    msa = PartnerOrganisation.objects.get(caf=carrier.caf, name="MSA Lorraine")
    forfait = FinancingScheme.objects.get(partner=msa, name="Grandir en milieu rural")
    granted = FinancerDecision.objects.filter(scheme=forfait, project__carrier=carrier)
    assert granted.count() == 1 and granted.get().amount == 1000
    assert SchemeRequest.objects.filter(scheme=forfait, project__carrier=carrier).count() == 1
    tne = FinancingScheme.objects.get(name="Bonus parents TNE")
    assert (tne.minimum, tne.maximum) == (100, 500) and tne.required_document is not None
    assert Envelope.objects.filter(campaign=forfait.campaign).count() == 3
    for project in projects:
        lines = list(project.budget_lines.all())
        charges = sum(line.amount for line in lines if line.is_charge)
        assert charges == sum(line.amount for line in lines if not line.is_charge)
    assert BudgetLine.objects.get(project__in=projects, financer="msa").label == "MSA LORRAINE"


def test_figures_per_financer_and_scheme_with_year_on_year_change(
    client, vosges, partners, second_project
):
    from .factories import CampaignFactory

    msa, cd, forfait, tne = partners
    last_year = CampaignFactory(caf=vosges.caf, year=2025)
    old_forfait = FinancingScheme.objects.create(
        partner=msa, campaign=last_year, name=forfait.name, rule="per_carrier", amount=800
    )
    old_project = ProjectFactory(carrier=vosges.carrier, campaign=last_year)
    FinancerDecision.objects.create(
        project=old_project, partner=msa, scheme=old_forfait, outcome="granted", amount=800
    )
    _, (first, second) = open_session(vosges, vosges.project, second_project)
    decide = cofinancing.record_financer_decision
    decide(
        first.pk, by=vosges.committee, partner=msa, scheme=forfait, outcome="granted",
        amount=Decimal("1000"),
    )  # fmt: skip
    SchemeRequest.objects.create(project=second_project, scheme=tne, collectives=2, amount=400)
    decide(
        second.pk, by=vosges.committee, partner=cd, scheme=tne, outcome="granted",
        amount=Decimal("400"),
    )  # fmt: skip
    client.force_login(vosges.advisor)
    page = client.get(reverse("declarations:figures"))
    financers = {row["financer"]: row for row in page.context["financers"]}
    assert financers["MSA Lorraine"]["amount"] == 1000
    assert financers["MSA Lorraine"]["previous"] == 800
    assert financers["MSA Lorraine"]["change"] == 25
    assert financers["MSA Lorraine"]["carriers"] == 1
    assert financers["Conseil départemental des Vosges"]["amount"] == 400
    assert financers["Conseil départemental des Vosges"]["change"] is None  # nothing last year
    assert "Caf (PS et bonus)" in financers
    schemes = {(row["financer"], row["scheme"]): row for row in page.context["schemes"]}
    assert schemes[("MSA Lorraine", "Grandir en milieu rural")]["change"] == 25
    assert schemes[("Conseil départemental des Vosges", "Bonus parents TNE")]["amount"] == 400
    text = words(page.content.decode())
    assert "Par financeur — 2026/2027" in text and "+25,0 %" in text


def test_a_scheme_asked_requires_its_summary_sheet(vosges, partners, second_project):
    from projects.completeness import missing_items, required_documents
    from projects.models import DocumentType

    _, _, _, tne = partners
    sheet = DocumentType.objects.create(
        caf=vosges.caf,
        campaign=second_project.campaign,
        name="Fiche synthèse bonus parents TNE",
        is_required=False,
    )
    tne.required_document = sheet
    tne.save()
    assert sheet not in required_documents(second_project)
    cofinancing.save_request(
        second_project, tne, asked=True, collectives=1, amount=Decimal("250"),
        parents_digital_action="Atelier ENT",
    )  # fmt: skip
    assert sheet in required_documents(second_project)
    assert "Pièce manquante : Fiche synthèse bonus parents TNE." in [
        m.message for m in missing_items(second_project)
    ]


def test_copying_a_campaign_copies_its_schemes_not_its_envelopes(vosges, partners):
    from projects.campaigns import copy_campaign
    from projects.models import DocumentType

    _, cd, forfait, tne = partners
    campaign = vosges.project.campaign
    sheet = DocumentType.objects.create(
        caf=vosges.caf, campaign=campaign, name="Fiche synthèse TNE", is_required=False
    )
    tne.required_document = sheet
    tne.save()
    Envelope.objects.create(caf=vosges.caf, campaign=campaign, partner=cd, amount=6000)
    new, summary = copy_campaign(campaign.pk, by=vosges.caf_admin)
    assert "2 dispositifs de cofinancement copiés" in summary
    copied = {s.name: s for s in FinancingScheme.objects.filter(campaign=new)}
    assert copied["Grandir en milieu rural"].amount == forfait.amount
    assert (copied["Bonus parents TNE"].minimum, copied["Bonus parents TNE"].maximum) == (100, 500)
    # The copied scheme asks the new campaign's copy of its sheet.
    assert copied["Bonus parents TNE"].required_document.campaign == new
    assert not Envelope.objects.filter(campaign=new).exists()
