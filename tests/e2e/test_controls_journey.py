"""Issue 17 (piece C) in headless Chromium on the demo: the advisor finds the Loire's failed visit
in the campaign's controls, records a new one; the carrier reads its result and follow-up; the
advisor grants the in-year bonus from its queue; the GC reads the bonus part of a declaration."""

import pytest
from playwright.sync_api import expect

from committee.models import InYearBonusRequest
from declarations.models import Control

from .conftest import login, logout

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_controls_and_in_year_bonus(demo, live_server, context, shots):
    page = context.new_page()
    failed = Control.objects.get(result="failed")
    login(page, live_server, "ccd@demo.clas.fr")
    page.get_by_role("button", name="Outils").click()
    page.get_by_role("link", name="Contrôles et visites").click()
    expect(
        page.get_by_role("heading", name="Contrôles et visites — campagne 2025/2026")
    ).to_be_visible()
    shots(page, "c17-controles-campagne")
    page.get_by_role("link", name="12/03/2026").click()
    expect(
        page.get_by_text("Correction de la déclaration par le gestionnaire conseil")
    ).to_be_visible()
    expect(page.get_by_text("Coordinatrice arrivée en janvier")).to_be_visible()
    shots(page, "c17-controle-caf")
    page.goto(
        f"{live_server.url}/declarations/controles-sur-place/projet/{failed.project_id}/nouveau/"
    )
    shots(page, "c17-controle-formulaire")
    page.get_by_label("Nature").select_option(label="Contrôle sur pièces")
    page.get_by_label("Date du contrôle").fill("2026-06-02")
    for index in range(5):
        page.locator(f"#id_check_{index}_status_0").check()
    page.locator("#id_result").select_option(label="Conforme")
    page.get_by_role("button", name="Enregistrer le contrôle").click()
    expect(page.get_by_text("Contrôle enregistré ; le porteur en est informé.")).to_be_visible()

    page.goto(f"{live_server.url}/comite/instruction/")
    expect(page.get_by_role("heading", name="Bonus demandés en cours d'année")).to_be_visible()
    shots(page, "c17-file-bonus-en-cours-d-annee")
    page.get_by_role("link", name="Ateliers parents-enfants").first.click()
    page.get_by_label("Motif").last.fill("Projet culturel structuré sur l'année.")
    shots(page, "c17-instruction-bonus-en-cours-d-annee")
    page.get_by_role("button", name="Accorder").last.click()
    expect(page.get_by_text("Décision sur la demande de bonus enregistrée.")).to_be_visible()
    assert InYearBonusRequest.objects.get().status == "granted"
    logout(page)

    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(f"{live_server.url}/projets/{failed.project_id}/")
    expect(page.get_by_role("heading", name="Contrôles et visites")).to_be_visible()
    page.get_by_role("link", name="Visite sur place du 12/03/2026").click()
    expect(page.get_by_text("Deux extraits manquants sur cinq intervenants.")).to_be_visible()
    expect(page.get_by_text("Coordinatrice arrivée en janvier")).to_have_count(0)
    shots(page, "c17-controle-porteur")
