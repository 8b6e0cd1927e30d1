"""Issue 17 (A) in the browser: the GC decides a rejection with its effect and sees the carrier's
answer, the carrier sees the consequence before and after validation, the GC confirms an actual
right above the forecast."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from declarations import services
from declarations.models import Declaration, Justification
from projects.models import Project

from .conftest import login, logout

pytestmark = pytest.mark.e2e


def _excess_case():
    """A Vosges actual declaration whose right exceeds its validated forecast."""
    project = (
        Project.objects.filter(
            campaign__year=2025,
            status="approved",
            carrier__memberships__user__email="porteur-vosges@demo.clas.fr",
        )
        .order_by("pk")
        .first()
    )
    member = project.carrier.memberships.first().user
    gc = get_user_model().objects.get(email="gc-vosges@demo.clas.fr")
    forecast = services.open_declaration(project, "forecast", by=member)
    Declaration.objects.filter(pk=forecast.pk).update(
        weeks=30, weeks_sept_dec=12, weeks_jan_aug=18, children=[10] * forecast.collectives
    )
    found = services.findings(Declaration.objects.get(pk=forecast.pk))
    services.submit(
        forecast.pk, by=member, justifications={(f.code, f.field): "Vu." for f in found}
    )
    for j in Justification.objects.filter(declaration=forecast):
        services.decide_justification(j.pk, by=gc, accepted=True)
    services.validate(forecast.pk, by=gc)
    actual = services.open_declaration(project, "actual", by=member)
    for line in actual.lines.all():
        line.amount = (line.amount * Decimal("1.08")).quantize(Decimal("0.01"))
        line.save()
    found = services.findings(Declaration.objects.get(pk=actual.pk))
    services.submit(actual.pk, by=member, justifications={(f.code, f.field): "Vu." for f in found})
    for j in Justification.objects.filter(declaration=actual):
        services.decide_justification(j.pk, by=gc, accepted=True)
    return actual


@pytest.mark.django_db(transaction=True)
def test_rejection_consequences_screens(demo, live_server, context, shots):
    rejected = Justification.objects.filter(effect="exclude_collective").select_related(
        "declaration"
    )
    waiting = rejected.get(declaration__status="submitted").declaration
    frozen = rejected.get(declaration__status="validated").declaration
    page = context.new_page()

    login(page, live_server, "gc@demo.clas.fr")
    page.goto(f"{live_server.url}/declarations/traitement/{waiting.pk}/")
    expect(page.get_by_text("Réponse du porteur au rejet")).to_be_visible()
    shots(page, "c17a-1-gc-rejet-et-reponse")
    page.get_by_text("Revoir la décision").first.click()
    page.get_by_label("Collectif(s) n°").first.fill("9")
    page.get_by_role("button", name="Rejeter avec cette conséquence").first.click()
    expect(page.get_by_text("numérotez de 1 à")).to_be_visible()
    shots(page, "c17a-2-gc-effet-refuse")
    logout(page)

    login(page, live_server, "porteur2@demo.clas.fr")
    page.goto(f"{live_server.url}/declarations/{waiting.pk}/")
    expect(page.get_by_text("Justifications rejetées par la Caf")).to_be_visible()
    shots(page, "c17a-3-porteur-avant-validation")
    page.goto(f"{live_server.url}/declarations/{frozen.pk}/")
    expect(page.get_by_text("Droit figé à la validation")).to_be_visible()
    shots(page, "c17a-4-porteur-apres-validation")
    logout(page)

    actual = _excess_case()
    login(page, live_server, "gc-vosges@demo.clas.fr")
    page.goto(f"{live_server.url}/declarations/traitement/{actual.pk}/")
    expect(page.get_by_text("dépasse le droit prévisionnel validé").first).to_be_visible()
    page.get_by_role("button", name="Valider et figer le droit").click()
    expect(page.get_by_text("Cochez la confirmation du dépassement")).to_be_visible()
    shots(page, "c17a-5-gc-depassement-refuse")
    page.get_by_label("Je confirme le droit réel").check()
    page.get_by_role("button", name="Valider et figer le droit").click()
    page.get_by_role("button", name="Confirmer la validation").click()
    expect(page.get_by_text("Déclaration validée")).to_be_visible()
