"""Issue 17, piece A: what the GC decides on a justification changes the money, the carrier answers
once, an actual right above the forecast is confirmed, retained collectives carry their own cost."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clasportal.models import OutboundEmail
from declarations import services
from declarations.errors import DeclarationError
from declarations.models import Declaration, Justification
from declarations.rejections import retained_right
from funding.services import compute_from_data
from projects.models import BudgetLine, ProjectEvent

from .declaration_helpers import approve
from .factories import CollectiveFactory
from .request_helpers import pdf_text

pytestmark = pytest.mark.django_db


def three_collectives(world, *, cost="24000.00"):
    """The world's project with three collectives and a budget of `cost`, approved for three."""
    project = world.project
    CollectiveFactory(project=project)
    CollectiveFactory(project=project)
    BudgetLine.objects.create(project=project, account="64", amount=Decimal(cost))
    BudgetLine.objects.create(
        project=project, account="74", financer="commune", amount=Decimal(cost)
    )
    return approve(world, collectives=3)


def submitted_forecast(world, project, *, children=(10, 20, 9), weeks=30, justify=None):
    forecast = services.open_declaration(project, "forecast", by=world.carrier_user)
    Declaration.objects.filter(pk=forecast.pk).update(
        children=list(children), weeks=weeks, weeks_sept_dec=12, weeks_jan_aug=weeks - 12
    )
    found = services.findings(Declaration.objects.get(pk=forecast.pk))
    texts = justify or {}
    services.submit(
        forecast.pk,
        by=world.carrier_user,
        justifications={(f.code, f.field): texts.get(f.code, "Expliqué.") for f in found},
    )
    return Declaration.objects.get(pk=forecast.pk)


def engine_right(project, *, collectives, weeks, charges, agreed=3):
    """The engine's forecast right on figures written here by hand (not the code under test)."""
    case = {
        "bareme_year": project.campaign.year,
        "carrier_kind": project.carrier.kind,
        "collectives_agreed": agreed,
        "min_weeks": 27,
        "bonus_children_granted": False,
        "bonus_parents_granted": False,
        "forecast": {
            "collectives": collectives,
            "weeks": weeks,
            "charges": {"64": charges},
            "bonus_children_collectives": 0,
            "bonus_parents_collectives": 0,
        },
    }
    return compute_from_data(case)[1].forecast.right


def test_refused_justification_excludes_a_collective_and_the_frozen_right_is_the_engines(
    client, loire
):
    project = three_collectives(loire)
    forecast = submitted_forecast(
        loire, project, justify={"children_out_of_range": "Forte demande du quartier."}
    )
    justification = forecast.justifications.get(code="children_out_of_range")
    full = engine_right(project, collectives=3, weeks=30, charges="24000.00")

    client.force_login(loire.processor)
    response = client.post(
        reverse("declarations:justification", args=[forecast.pk, justification.pk]),
        {
            "decision": "reject",
            "effect": "exclude_collective",
            "collectives": "2",
            "note": "20 enfants : hors critères, pas éligible à la PS Clas (guide Loire).",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("declarations:process", args=[forecast.pk])).content.decode()
    assert "collectif 2 exclu du droit" in page and "Droit sur les chiffres retenus" in page
    client.post(reverse("declarations:validate", args=[forecast.pk]), {"confirm": "1"})

    forecast.refresh_from_db()
    assert forecast.status == "validated"
    # Two collectives left, carrying two thirds of the charges: 24 000 × 2/3 = 16 000.
    expected = engine_right(project, collectives=2, weeks=30, charges="16000.00")
    assert forecast.right == expected == Decimal("5200.00")  # 0.325 × 16 000
    assert expected < full == Decimal("7800.00")
    assert forecast.computation.inputs["forecast"]["collectives"] == 2
    advances = {p.kind: p.amount for p in project.payments.all()}
    assert sum(advances.values()) <= expected * Decimal("0.70")
    validated = OutboundEmail.objects.get(subject__startswith="Déclaration prévisionnelle validée")
    assert "Justifications rejetées par la Caf : collectif 2 exclu du droit" in validated.body

    event = ProjectEvent.objects.filter(action="justification").latest("pk")
    assert event.actor == loire.processor
    assert event.data["before"]["status"] == "pending"
    assert event.data["after"]["effect"] == "exclude_collective"
    assert Decimal(event.data["right_before"]) == full
    assert Decimal(event.data["right_after"]) == expected
    assert "7\u202f800,00" in event.note and "5\u202f200,00" in event.note

    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:edit", args=[forecast.pk])).content.decode()
    assert "Justifications rejetées par la Caf" in page
    assert "Collectif 2 exclu du droit" in page and "hors critères" in page
    assert "collectif 2 (20 enfants)" in page
    assert "Droit figé à la validation" in page and "5\u202f200,00\u00a0€" in page
    assert "Coût par collectif : 16\u202f000,00\u00a0€ ÷ 2 collectifs" in page
    # validated: no answer any more
    assert "Envoyer ma réponse" not in page
    pdf = client.get(reverse("declarations:declaration_pdf", args=[forecast.pk]))
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "Collectif 2 exclu du droit" in text and "Collectifs retenus" in text
    assert "10, 9" in text  # the children of the two collectives left


def test_the_carrier_answers_once_and_the_gc_may_change_the_decision(client, loire):
    project = three_collectives(loire)
    forecast = submitted_forecast(loire, project)
    justification = forecast.justifications.get(code="children_out_of_range")
    services.decide_justification(
        justification.pk,
        by=loire.processor,
        accepted=False,
        effect="exclude_collective",
        collectives=[2],
    )
    [told] = OutboundEmail.objects.filter(subject__startswith="Justification rejetée")
    assert told.recipients == [loire.carrier_user.email]
    assert "collectif 2 exclu du droit" in told.body and "répondre une fois" in told.body
    assert "7\u202f800,00" in told.body and "5\u202f200,00" in told.body
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:edit", args=[forecast.pk])).content.decode()
    assert "Envoyer ma réponse" in page and "Ce droit sera figé à la validation" in page
    url = reverse("declarations:justification_answer", args=[forecast.pk, justification.pk])
    response = client.post(url, {f"r{justification.pk}-text": ""})
    assert "Écrivez votre réponse avant de" in response.content.decode()
    client.post(url, {f"r{justification.pk}-text": "Deux groupes de 10 en alternance."})
    response = client.post(url, {f"r{justification.pk}-text": "Encore."}, follow=True)
    assert "une seule réponse est possible" in response.content.decode()
    justification.refresh_from_db()
    assert justification.carrier_answer == "Deux groupes de 10 en alternance."
    [answered] = OutboundEmail.objects.filter(subject__startswith="Réponse du porteur")
    assert set(answered.recipients) == {loire.processor.email, loire.payer.email}
    assert "en alternance" in answered.body

    client.force_login(loire.processor)
    page = client.get(reverse("declarations:process", args=[forecast.pk])).content.decode()
    assert "Réponse du porteur au rejet" in page and "en alternance" in page
    client.post(
        reverse("declarations:justification", args=[forecast.pk, justification.pk]),
        {"decision": "accept", "note": "Vu la réponse."},
    )
    services.validate(forecast.pk, by=loire.processor)
    forecast.refresh_from_db()
    assert forecast.right == engine_right(project, collectives=3, weeks=30, charges="24000.00")
    with pytest.raises(DeclarationError, match="validée"):
        services.answer_rejection(justification.pk, by=loire.carrier_user, text="Trop tard")


def test_a_new_submission_starts_a_new_examination(loire):
    project = three_collectives(loire)
    forecast = submitted_forecast(loire, project)
    justification = forecast.justifications.get(code="children_out_of_range")
    services.decide_justification(
        justification.pk,
        by=loire.processor,
        accepted=False,
        effect="exclude_collective",
        collectives=[2],
    )
    services.answer_rejection(justification.pk, by=loire.carrier_user, text="Nous contestons.")
    services.return_for_correction(forecast.pk, by=loire.processor, message="Revoyez le groupe 2.")
    services.submit(
        forecast.pk,
        by=loire.carrier_user,
        justifications={("children_out_of_range", "children"): "Groupe scindé en deux."},
    )
    justification.refresh_from_db()
    assert justification.status == Justification.Status.PENDING
    assert (justification.effect, justification.carrier_answer) == ("", "")
    forecast.refresh_from_db()
    assert retained_right(forecast) == engine_right(
        project, collectives=3, weeks=30, charges="24000.00"
    )


def test_an_effect_that_does_not_fit_is_refused_next_to_its_field(client, loire):
    project = three_collectives(loire)
    forecast = submitted_forecast(loire, project)
    justification = forecast.justifications.get(code="children_out_of_range")
    client.force_login(loire.processor)
    url = reverse("declarations:justification", args=[forecast.pk, justification.pk])
    response = client.post(
        url, {"decision": "reject", "effect": "exclude_collective", "collectives": "7"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "La déclaration compte 3 collectifs : numérotez de 1 à 3." in text
    assert 'value="7"' in text  # the entry is kept
    response = client.post(
        url, {"decision": "reject", "effect": "exclude_collective", "collectives": "1, 2, 3"}
    )
    assert "revient à refuser la déclaration" in response.content.decode()
    response = client.post(url, {"decision": "reject", "effect": "correct_weeks"})
    assert "Indiquez le nombre de semaines retenu." in response.content.decode()
    justification.refresh_from_db()
    assert justification.status == Justification.Status.PENDING


def test_weeks_corrected_reduce_the_right_pro_rata(loire):
    project = three_collectives(loire)
    forecast = submitted_forecast(loire, project, children=(10, 10, 10), weeks=26)
    justification = forecast.justifications.get(code="weeks_below_minimum")
    services.decide_justification(
        justification.pk, by=loire.processor, accepted=False, effect="correct_weeks", value=20
    )
    services.validate(forecast.pk, by=loire.processor)
    forecast.refresh_from_db()
    # 0.325 × 24 000 × 20/27
    expected = engine_right(project, collectives=3, weeks=20, charges="24000.00")
    assert forecast.right == expected == Decimal("5777.78")


def validated_forecast_then_actual(world, *, forecast_cost, actual_cost):
    project = world.project
    BudgetLine.objects.create(project=project, account="64", amount=Decimal(forecast_cost))
    BudgetLine.objects.create(
        project=project, account="74", financer="commune", amount=Decimal(forecast_cost)
    )
    project = approve(world)
    forecast = services.open_declaration(project, "forecast", by=world.carrier_user)
    Declaration.objects.filter(pk=forecast.pk).update(weeks=30, weeks_sept_dec=12, weeks_jan_aug=18)
    services.submit(forecast.pk, by=world.carrier_user, justifications={})
    services.validate(forecast.pk, by=world.processor)
    actual = services.open_declaration(project, "actual", by=world.carrier_user)
    actual.lines.update(amount=Decimal(actual_cost))
    services.submit(actual.pk, by=world.carrier_user, justifications={})
    return project, Declaration.objects.get(pk=forecast.pk), actual


def test_an_actual_right_above_the_forecast_is_confirmed_explicitly(client, loire):
    project, forecast, actual = validated_forecast_then_actual(
        loire, forecast_cost="8000.00", actual_cost="8600.00"
    )
    assert forecast.right == Decimal("2600.00")
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:process", args=[actual.pk])).content.decode()
    assert "dépasse le droit prévisionnel validé (2\u202f600,00\u00a0€) de 195,00\u00a0€" in page
    assert "Prix de revient : 8\u202f000,00\u00a0€ → 8\u202f600,00\u00a0€." in page
    assert 'name="confirm_excess"' in page
    response = client.post(
        reverse("declarations:validate", args=[actual.pk]), {"confirm": "1"}, follow=True
    )
    assert "Cochez la confirmation du dépassement" in response.content.decode()
    actual.refresh_from_db()
    assert actual.status == "submitted" and actual.computation is None
    client.post(
        reverse("declarations:validate", args=[actual.pk]),
        {"confirm": "1", "confirm_excess": "on"},
    )
    actual.refresh_from_db()
    assert actual.status == "validated" and actual.right == Decimal("2795.00")


def test_the_cafs_tolerance_lets_a_small_excess_through(loire):
    loire.caf.policy.actual_excess_tolerance = Decimal("0.10")
    loire.caf.policy.save()
    _project, _forecast, actual = validated_forecast_then_actual(
        loire, forecast_cost="8000.00", actual_cost="8600.00"
    )
    services.validate(actual.pk, by=loire.processor)  # 7.5 % above: within 10 %
    actual.refresh_from_db()
    assert actual.status == "validated"


def test_the_policy_page_edits_the_tolerance(client, loire):
    client.force_login(loire.caf_admin)
    url = reverse("funding:policy")
    page = client.get(url).content.decode()
    assert "tolérance du droit réel au-dessus du prévisionnel" in page.lower()
    policy = {
        "min_weeks": "27",
        "min_children": "8",
        "min_children_rural": "5",
        "max_children": "12",
        "sessions_per_week": "2",
        "session_minutes": "90",
        "sessions_per_week_rural": "1",
        "session_minutes_rural": "120",
        "staff_ratio_blocking": "on",
        "first_advance_rate": "0,35",
        "second_advance_rate": "0,35",
        "charges_variation_threshold": "0,15",
        "budget_imbalance_threshold": "0,01",
        "min_cofinancing_share": "0",
        "deposit_engagements": "Je certifie.",
    }
    response = client.post(url, {**policy, "actual_excess_tolerance": "1,5"})
    assert "La part doit être au plus 1." in response.content.decode()
    client.post(url, {**policy, "actual_excess_tolerance": "0,05"})
    loire.caf.policy.refresh_from_db()
    assert loire.caf.policy.actual_excess_tolerance == Decimal("0.05")
