"""Bilans: the Caf administrator builds the questionnaire, each approved project's carrier saves
a draft and transmits it once, the advisor reads it, a renewal waits for the last bilan when the
Caf asks so, and the departmental bilan adds up decisions, actual declarations, payments and
answers — checked here against totals computed by hand, in the page, the PDF and the XLSX."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from committee.models import AgendaItem, CommitteeSession, Decision
from declarations import bilans
from declarations.models import BilanForm, BilanQuestion, BilanResponse, Declaration, Payment
from funding.services import store_computation
from projects.completeness import missing_items
from projects.models import ProjectStatus, Situation

from .declaration_helpers import approve
from .factories import CampaignFactory, CollectiveFactory, ProjectFactory
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def _open(form):
    BilanForm.objects.filter(pk=form.pk).update(opens_on=datetime.date(2020, 1, 1))
    form.refresh_from_db()
    return form


def _answers(form, values):
    """POST data for the questions, keyed by their text."""
    by_text = {q.text: q for q in form.questions.all()}
    return {f"q{by_text[text].pk}": value for text, value in values.items()}


FULL = {
    "Nombre d'enfants suivis sur l'année": "11",
    "Nombre de parents impliqués dans l'action": "6",
    "Qualité des relations avec les établissements scolaires": "4",
    "Évolution de la confiance en soi des enfants": "Nette amélioration",
    "Ce qui a bien fonctionné, ce qui est à revoir": "Les ateliers du mercredi.",
}


def test_the_caf_administrator_builds_the_questionnaire(client, loire):
    campaign = loire.project.campaign
    client.force_login(loire.caf_admin)
    client.post(reverse("declarations:bilan_create", args=[campaign.pk]))
    form = BilanForm.objects.get(campaign=campaign)
    assert form.questions.count() == len(bilans.STARTER_QUESTIONS)

    add = reverse("declarations:bilan_question_add", args=[form.pk])
    bad = client.post(
        add,
        {
            "section": "Effets",
            "position": "20",
            "text": "Assiduité ?",
            "kind": "choice",
            "choices": "Bonne",
        },
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "au moins deux réponses" in page and 'value="Assiduité ?"' in page
    ok = client.post(
        add,
        {
            "section": "Effets",
            "position": "20",
            "text": "Assiduité ?",
            "kind": "choice",
            "choices": "Bonne\nMoyenne\nFaible",
            "required": "on",
        },
    )
    assert ok.status_code == 302
    assert form.questions.filter(text="Assiduité ?").exists()

    settings = reverse("declarations:bilan_settings", args=[form.pk])
    bad = client.post(
        settings, {"title": "Bilan", "opens_on": "30/09/2027", "due_on": "01/07/2027"}
    )
    assert "ne peut pas précéder" in bad.content.decode()
    client.post(
        settings,
        {
            "title": "Bilan 2026",
            "opens_on": "01/07/2027",
            "due_on": "15/09/2027",
            "required_for_renewal": "on",
        },
    )
    form.refresh_from_db()
    assert form.due_on == datetime.date(2027, 9, 15) and form.required_for_renewal
    assert form.history.count() == 2  # created, then changed: traced

    # The advisor reads the questionnaire but cannot change it.
    client.force_login(loire.advisor)
    assert client.get(reverse("declarations:bilan_admin", args=[campaign.pk])).status_code == 200
    assert client.post(add, {"section": "x"}).status_code == 403


def test_the_carrier_saves_a_draft_then_transmits_once(client, loire):
    project = approve(loire)
    form = bilans.create_form(project.campaign)
    url = reverse("declarations:bilan_fill", args=[project.pk])
    client.force_login(loire.carrier_user)
    # Before the end of the year the bilan is not open.
    assert client.get(url).status_code == 302
    _open(form)

    partial = _answers(form, {"Nombre d'enfants suivis sur l'année": "11"})
    assert client.post(url, {**partial, "enregistrer": "1"}).status_code == 302
    response = BilanResponse.objects.get(project=project)
    assert response.status == "draft" and list(response.answers.values()) == [11]

    # Transmitting checks every required answer, and keeps what was typed.
    refused = client.post(url, {**partial, "transmettre": "1"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Cette réponse est obligatoire pour transmettre." in text and 'value="11"' in text
    bad_number = client.post(
        url,
        {
            **_answers(form, {**FULL, "Nombre d'enfants suivis sur l'année": "-3"}),
            "transmettre": "1",
        },
    )
    assert "Le nombre ne peut pas être négatif." in bad_number.content.decode()

    assert client.post(url, {**_answers(form, FULL), "transmettre": "1"}).status_code == 302
    response.refresh_from_db()
    assert response.status == "submitted" and response.submitted_by == loire.carrier_user
    # Read-only afterwards: a second post changes nothing.
    client.post(
        url,
        {
            **_answers(form, {**FULL, "Nombre de parents impliqués dans l'action": "60"}),
            "transmettre": "1",
        },
    )
    response.refresh_from_db()
    assert response.answers[str(form.questions.get(indicator="parents_involved").pk)] == 6
    assert "Les ateliers du mercredi." in client.get(url).content.decode()

    # The advisor reads it and marks it read (traced).
    client.force_login(loire.advisor)
    assert "Les ateliers du mercredi." in client.get(url).content.decode()
    client.post(reverse("declarations:bilan_mark_read", args=[response.pk]))
    response.refresh_from_db()
    assert response.read_by == loire.advisor
    assert response.history.first().history_change_reason == "Bilan lu par la Caf"
    # Another carrier of the Caf does not see it.
    client.force_login(loire.other_carrier_user)
    assert client.get(url).status_code == 404


def test_a_renewal_waits_for_the_last_bilan_when_the_caf_requires_it(client, loire):
    project = approve(loire)
    form = _open(bilans.create_form(project.campaign))
    next_year = CampaignFactory(caf=loire.caf, year=project.campaign.year + 1)
    renewal = ProjectFactory(carrier=loire.carrier, campaign=next_year, situation=Situation.RENEWAL)
    messages = [m.message for m in missing_items(renewal)]
    assert not any("bilan" in m for m in messages)  # the Caf did not require it

    form.required_for_renewal = True
    form.save()
    messages = [m.message for m in missing_items(renewal)]
    expected = f"transmettez le bilan de « {project.title} »"
    assert any(expected in m for m in messages), messages
    # A new carrier's request is not concerned.
    other = ProjectFactory(
        carrier=loire.other_carrier, campaign=next_year, situation=Situation.NEW_CARRIER
    )
    assert not any("bilan" in m.message for m in missing_items(other))

    response = bilans.response_for(form, project)
    answers = bilans.AnswersForm(
        _answers(form, FULL), questions=list(form.questions.all()), final=True
    )
    assert answers.is_valid(), answers.errors
    bilans.save(response, answers, by=loire.carrier_user, transmit=True)
    assert not any("bilan" in m.message for m in missing_items(renewal))


@pytest.fixture
def closed_year(loire):
    """A campaign run to its bilan: three approved projects (two carriers), one refused; actual
    declarations validated for two; payments; two bilans transmitted, one draft."""
    campaign = loire.project.campaign
    session = CommitteeSession.objects.create(
        caf=loire.caf, campaign=campaign, date=datetime.date(2026, 10, 14), place="Caf"
    )
    computation = store_computation(
        data={
            "bareme_year": 2026,
            "carrier_kind": "association",
            "collectives_agreed": 1,
            "forecast": {"collectives": 1, "weeks": 30, "charges": {"64": "9000"}},
        },
        kind="forecast",
    )
    spec = [  # carrier, planned children per collective, retained, ps, actual, paid
        (loire.carrier, [10, 12], 2, "5623.80", (2, [9, 11], 30), "5000.00"),
        (loire.carrier, [8], 1, "2811.90", None, "1968.33"),
        (loire.other_carrier, [12, 10, 9], 2, "5623.80", (2, [12, 10], 28), "4000.00"),
    ]
    projects = []
    for index, (carrier, children, retained, ps, actual, paid) in enumerate(spec):
        project = ProjectFactory(carrier=carrier, campaign=campaign, status=ProjectStatus.APPROVED)
        for count in children:
            CollectiveFactory(project=project, planned_children=count, is_rural=index == 0)
        Decision.objects.create(
            item=AgendaItem.objects.create(session=session, project=project, position=index),
            outcome="approved",
            collectives_retained=retained,
            forecast_ps=Decimal(ps),
        )
        forecast = Declaration.objects.create(
            project=project, kind="forecast", collectives=retained, weeks=30, status="validated"
        )
        if actual:
            Declaration.objects.create(
                project=project,
                kind="actual",
                collectives=actual[0],
                children=actual[1],
                weeks=actual[2],
                status="validated",
            )
        Payment.objects.create(
            project=project,
            declaration=forecast,
            kind="advance_1",
            amount=Decimal(paid),
            status="paid",
            computation=computation,
        )
        projects.append(project)
    refused = ProjectFactory(carrier=loire.other_carrier, campaign=campaign, status="refused")
    CollectiveFactory(project=refused, planned_children=10)
    form = _open(bilans.create_form(campaign))
    questions = list(form.questions.all())
    for project, values, transmit in (
        (projects[0], FULL, True),
        (
            projects[2],
            {
                **FULL,
                "Nombre d'enfants suivis sur l'année": "20",
                "Nombre de parents impliqués dans l'action": "3",
                "Qualité des relations avec les établissements scolaires": "5",
                "Évolution de la confiance en soi des enfants": "Pas d'évolution",
            },
            True,
        ),
        (projects[1], {"Nombre d'enfants suivis sur l'année": "99"}, False),
    ):
        answers = bilans.AnswersForm(_answers(form, values), questions=questions, final=transmit)
        assert answers.is_valid(), answers.errors
        bilans.save(
            bilans.response_for(form, project), answers, by=loire.carrier_user, transmit=transmit
        )
    return campaign, projects


def test_the_departmental_bilan_matches_hand_computed_totals(client, loire, closed_year):
    campaign, projects = closed_year
    client.force_login(loire.caf_admin)
    url = reverse("declarations:departmental_bilan", args=[campaign.pk])
    context = client.get(url).context
    row = context["row"]
    # By hand: 3 approved projects (the refused one out), 2 carriers; retained 2 + 1 + 2 = 5
    # collectives with 10+12 + 8 + 12+10 = 52 planned children (the third project's 9-child
    # collective was not retained); actual: 2 + 2 collectives, 9+11 + 12+10 = 42 children, 58
    # weeks; headline: actual where validated, else retained = 2 + 1 + 2 collectives and
    # 20 + 8 + 22 = 50 children; decided PS 14 059,50 €; paid 10 968,33 €.
    assert (row["projects"], row["carriers"]) == (3, 2)
    assert (row["collectives_retained"], row["children_planned"]) == (5, 52)
    assert (row["collectives_run"], row["children_run"], row["weeks_run"]) == (4, 42, 58)
    assert (row["collectives"], row["children"]) == (5, 50)
    assert row["ps_decided"] == Decimal("14059.50") and row["paid"] == Decimal("10968.33")
    # The first project's 2 collectives are rural, out of the 6 of the approved projects.
    assert context["shares"]["rural"]["share"] == Decimal("33.3")
    # Answers: two transmitted bilans out of three expected; the draft is not counted.
    by_text = {item["question"].text: item for _, items in context["sections"] for item in items}
    assert context["transmitted"] == 2 and context["expected"] == 3
    children = by_text["Nombre d'enfants suivis sur l'année"]
    assert (children["count"], children["total"], children["mean"]) == (
        2,
        Decimal("31"),
        Decimal("15.5"),
    )
    assert by_text["Qualité des relations avec les établissements scolaires"]["mean"] == Decimal(
        "4.5"
    )
    assert dict(by_text["Évolution de la confiance en soi des enfants"]["counts"]) == {
        "Nette amélioration": 1,
        "Légère amélioration": 0,
        "Pas d'évolution": 1,
        "Dégradation": 0,
    }

    pdf = client.get(reverse("declarations:departmental_bilan_pdf", args=[campaign.pk]))
    text = pdf_text(pdf.content)
    assert "Bilan départemental du Clas — campagne 2026/2027" in text
    assert "14 059,50 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "10 968,33 €" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "moyenne 15.5" in text or "moyenne 15,5" in text

    xlsx = client.get(reverse("declarations:departmental_bilan_xlsx", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    figures = {row[0]: row[1] for row in book["Chiffres"].iter_rows(min_row=2, values_only=True)}
    assert figures["Projets agréés"] == 3 and figures["Enfants réalisés"] == 42
    assert Decimal(str(figures["Versé"])) == Decimal("10968.33")


def test_a_question_answered_in_a_transmitted_bilan_cannot_be_deleted(client, loire, closed_year):
    campaign, _ = closed_year
    form = BilanForm.objects.get(campaign=campaign)
    answered = form.questions.get(indicator="children_followed")
    unanswered = BilanQuestion.objects.create(form=form, section="x", text="Libre", kind="text")
    client.force_login(loire.caf_admin)
    client.post(reverse("declarations:bilan_question_delete", args=[answered.pk]))
    client.post(reverse("declarations:bilan_question_delete", args=[unanswered.pk]))
    assert BilanQuestion.objects.filter(pk=answered.pk).exists()
    assert not BilanQuestion.objects.filter(pk=unanswered.pk).exists()
