"""Issue 17 (B) in the browser: the committee withdraws an agrément mid-year after reading what
follows; the GC and the carrier read the amount to recover, its reason and its calculation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from declarations.models import Recovery
from projects.models import Project

from .conftest import login, logout

pytestmark = pytest.mark.e2e


def test_withdrawal_then_the_amount_to_recover_seen_by_gc_and_carrier(
    page, live_server, demo, shots
):
    project = Project.objects.get(
        campaign__year=2026, status="approved", campaign__caf__name="Loire"
    )
    login(page, live_server, "comite@demo.clas.fr")
    page.goto(live_server.url + reverse("projects:detail", args=[project.pk]))
    page.get_by_role("link", name="Suspendre ou retirer l'agrément").click()
    page.get_by_label("Retirer l'agrément").check()
    page.get_by_label("À compter du").fill("2026-12-18")
    page.get_by_role("button", name="Voir ce qui en découle").click()
    # Entries kept, French messages next to the fields.
    expect(page.get_by_text("Indiquez les semaines réalisées")).to_be_visible()
    expect(page.get_by_text("Motivez la décision : le porteur lit ce motif.")).to_be_visible()
    shots(page, "c17b-01-comite-retrait-erreurs")
    page.get_by_label("Semaines d'activité réalisées avant le retrait").fill("14")
    page.get_by_label("Motif (lu par le porteur)").fill(
        "Action arrêtée en décembre : plus d'intervenant depuis le départ de l'animatrice."
    )
    page.get_by_role("button", name="Voir ce qui en découle").click()
    expect(page.get_by_text("Ce qui va se passer")).to_be_visible()
    expect(page.get_by_text("Aucun paiement ne pourra plus avancer sur ce projet.")).to_be_visible()
    shots(page, "c17b-02-comite-retrait-confirmation")
    page.get_by_role("button", name="Confirmer : retirer l'agrément").click()
    expect(page.get_by_text("Décision enregistrée ; le porteur est prévenu.")).to_be_visible()
    expect(page.locator("h1").get_by_text("Agrément retiré")).to_be_visible()
    logout(page)

    recovery = Recovery.objects.get(project__campaign__year=2025)
    login(page, live_server, "gc-paiements@demo.clas.fr")
    page.goto(live_server.url + reverse("declarations:payments"))
    expect(page.get_by_role("heading", name="Indus à récupérer")).to_be_visible()
    shots(page, "c17b-03-gc-paiements-indus")
    logout(page)

    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(live_server.url + reverse("projects:detail", args=[recovery.project_id]))
    expect(page.get_by_text("Le calcul, étape par étape")).to_be_visible()
    shots(page, "c17b-04-porteur-indu-explique")
