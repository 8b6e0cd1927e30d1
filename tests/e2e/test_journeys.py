"""The three users' paths, as people do them, in headless Chromium (make e2e)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from committee.models import CommitteeSession
from declarations.models import Declaration
from projects.models import Project

from ..request_helpers import PDF_BYTES, pdf_text
from .conftest import login, logout

pytestmark = pytest.mark.e2e

TITLE = "Renouvellement parcours e2e"


def attest(page):
    """The legal representative ticks each of the Caf's attestations before depositing."""
    boxes = page.locator('input[type="checkbox"][name^="engagement_"]')
    for index in range(boxes.count()):
        boxes.nth(index).check()
    signatory = page.get_by_label("Attestés au nom de (représentant légal)")
    if not signatory.input_value():
        signatory.fill("Camille Martin")


def upload(page, tmp_path, label, filename):
    path = tmp_path / filename
    path.write_bytes(PDF_BYTES)
    page.get_by_label("Pièce").select_option(label=label)
    page.get_by_label("Fichier").set_input_files(str(path))
    page.get_by_role("button", name="Joindre le fichier").click()
    expect(page.get_by_text(f"« {filename} » ajouté.")).to_be_visible()


def next_step(page):
    page.get_by_role("button", name="Étape suivante →").click()


def carrier_files_a_renewal(page, live_server, shots, tmp_path):
    login(page, live_server, "porteur@demo.clas.fr")
    shots(page, "01-porteur-tableau-de-bord")
    page.get_by_role("link", name="Nouvelle demande").first.click()
    page.get_by_label("Renouvellement (convention qui s'achève)").check()
    page.get_by_label("Projet de l'an dernier à reprendre").select_option(index=1)
    page.get_by_label("Intitulé du projet").fill(TITLE)
    shots(page, "02-porteur-nouvelle-demande")
    page.get_by_role("button", name="Créer le brouillon").click()

    # Step 1: the identity the Caf knows is read-only (a change is a request to the Caf); a
    # mistake in the contact e-mail is corrected after the French message.
    expect(page.get_by_label("SIRET")).to_be_disabled()
    email = page.get_by_label("E-mail de contact")
    good_email = email.input_value()
    email.fill("contact@")
    next_step(page)
    expect(page.get_by_text("Saisissez une adresse e-mail valide")).to_be_visible()
    shots(page, "03-porteur-erreur-saisie")
    page.get_by_label("E-mail de contact").fill(good_email)
    next_step(page)
    expect(page.get_by_role("heading", name="Le projet")).to_be_visible()
    shots(page, "04-porteur-projet")
    page.get_by_label("Objectifs du projet").fill("Redonner confiance et associer les parents.")
    page.get_by_label("Objectifs du projet").press("Tab")
    next_step(page)
    expect(page.get_by_role("heading", name="Les collectifs")).to_be_visible()
    shots(page, "05-porteur-collectifs")
    next_step(page)
    expect(page.get_by_text("total des charges")).to_be_visible()
    shots(page, "06-porteur-budget")
    next_step(page)
    # A renewal asks its convention's length (one year here, the Caf's rules shown).
    expect(page.get_by_role("heading", name="La convention")).to_be_visible()
    next_step(page)
    page.get_by_label("je demande le bonus « enfants »").check()
    page.get_by_label("Collectifs concernés (bonus enfants)").fill("1")
    page.get_by_label("Projet socio-éducatif structuré sur l'année (fil rouge)").fill(
        "Un journal de quartier écrit par les enfants toute l'année."
    )
    page.get_by_label("Surcoût sorties et activités culturelles").fill("450")
    next_step(page)
    upload(page, tmp_path, "RIB de la structure", "rib.pdf")

    # The tab closes; the draft is there when the carrier comes back.
    page.close()
    return TITLE


def resume_and_submit(context, live_server, shots, tmp_path):
    page = context.new_page()
    page.goto(f"{live_server.url}/projets/")
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("link", name="Continuer la demande").click()
    page.get_by_role("link", name=re.compile("Les pièces jointes")).click()
    expect(page.get_by_role("link", name="rib.pdf")).to_be_visible()
    upload(page, tmp_path, "Attestation d'assurance responsabilité civile", "assurance.pdf")
    upload(page, tmp_path, "Bilan Clas de l'année précédente", "bilan.pdf")
    shots(page, "07-porteur-pieces")
    next_step(page)
    expect(page.get_by_text("La demande est complète.")).to_be_visible()
    shots(page, "08-porteur-recapitulatif")
    # The deposit asks first; « Annuler » changes nothing, then the carrier confirms.
    attest(page)
    page.get_by_role("button", name="Déposer la demande").click()
    expect(page.get_by_role("heading", name="Ce qui va se passer")).to_be_visible()
    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("button", name="Déposer la demande")).to_be_visible()
    assert Project.objects.get(title=TITLE).status == "draft"
    attest(page)
    page.get_by_role("button", name="Déposer la demande").click()
    page.get_by_role("button", name="Confirmer le dépôt").click()
    expect(page.get_by_text("Votre demande est déposée")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le récépissé (PDF)").click()
    text = pdf_text(open(download.value.path(), "rb").read())
    assert "Récépissé de dépôt" in text and TITLE in text
    shots(page, "09-porteur-depot")
    return page


def advisor_requests_a_change(page, live_server, shots):
    login(page, live_server, "ccd@demo.clas.fr")
    page.get_by_role("link", name="Instruction").click()
    page.get_by_label("Recherche").fill("parcours e2e")
    page.get_by_label("Statut", exact=True).select_option(label="Déposé")
    page.get_by_role("button", name="Filtrer").click()
    shots(page, "10-conseiller-file")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Commencer l'instruction").click()
    page.get_by_label("Le projet", exact=True).check()
    page.get_by_label("Message au porteur").fill("Précisez la réunion de concertation école.")
    shots(page, "11-conseiller-instruction")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande de modifications envoyée au porteur.")).to_be_visible()
    logout(page)


def carrier_answers(page, live_server):
    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(f"{live_server.url}/projets/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(
        page.get_by_text("Précisez la réunion de concertation école.", exact=True)
    ).to_be_visible()
    page.get_by_role("link", name="Modifier les sections rouvertes").click()
    page.get_by_role("link", name=re.compile("Le projet")).click()
    page.get_by_label("Concertation et coordination avec l'école").fill(
        "Réunion de concertation le 15 septembre avec les directeurs et le CPE."
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("link", name=re.compile("Récapitulatif")).click()
    attest(page)
    page.get_by_role("button", name="Déposer la demande").click()
    page.get_by_role("button", name="Confirmer le dépôt").click()
    expect(page.get_by_text("Votre demande est déposée")).to_be_visible()
    logout(page)


def advisor_grants_and_proposes(page, live_server, shots):
    login(page, live_server, "ccd@demo.clas.fr")
    project = Project.objects.get(title=TITLE)
    page.goto(f"{live_server.url}/comite/instruction/{project.pk}/")
    page.locator("#motif-children").fill("Fil rouge structuré, sorties budgétées.")
    page.get_by_role("button", name="Accorder").first.click()
    expect(page.get_by_text("Décision sur le bonus enregistrée.")).to_be_visible()
    page.get_by_label("Favorable (proposer l'agrément)").check()
    page.get_by_label("Collectifs retenus").fill("1")
    page.get_by_role("button", name="Transmettre la proposition").click()
    expect(page.get_by_text("Proposition transmise au comité.")).to_be_visible()
    shots(page, "12-conseiller-proposition")
    logout(page)


def committee_decides_and_exports(page, live_server, shots):
    login(page, live_server, "admin@demo.clas.fr")
    page.get_by_role("link", name="Comités").click()
    page.get_by_role("link", name=re.compile(r"\d\d.\d\d.2026")).first.click()
    page.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    logout(page)
    login(page, live_server, "comite@demo.clas.fr")
    page.get_by_role("link", name="Comités").click()
    page.get_by_role("link", name=re.compile(r"\d\d.\d\d.2026")).first.click()
    item = page.locator("article", has_text=TITLE)
    item.get_by_label("Agréé").check()
    item.get_by_label("Collectifs retenus").fill("1")
    item.get_by_label("Bonus enfants retenu").check()
    item.get_by_role("button", name="Décider").click()
    expect(page.get_by_text(f"Décision enregistrée pour « {TITLE} »")).to_be_visible()
    shots(page, "13-comite-decision")
    page.get_by_role("button", name="Liste d'agrément (PDF)").click()
    expect(page.get_by_text("L'export est prêt.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier").click()
    # Words, not lines: the fixed column widths may wrap a title.
    text = " ".join(pdf_text(open(download.value.path(), "rb").read()).split())
    assert "Liste d'agrément" in text and TITLE in text and "Agréé" in text
    assert re.search(r"\d[\d\s\u202f]*,\d\d\s?€", text)
    shots(page, "14-comite-export")


@pytest.mark.django_db(transaction=True)
def test_carrier_advisor_and_committee_journeys(demo, live_server, context, shots, tmp_path):
    page = context.new_page()
    carrier_files_a_renewal(page, live_server, shots, tmp_path)
    page = resume_and_submit(context, live_server, shots, tmp_path)
    logout(page)
    advisor_requests_a_change(page, live_server, shots)
    carrier_answers(page, live_server)
    advisor_grants_and_proposes(page, live_server, shots)
    committee_decides_and_exports(page, live_server, shots)
    project = Project.objects.get(title=TITLE)
    assert project.status == "approved" and project.agreed_collectives == 1


@pytest.mark.django_db(transaction=True)
def test_carrier_enters_year_two_of_its_convention(demo, live_server, context, shots):
    """Issue 15: a carrier under a 4-year convention enters only its year 2 forecast, from its
    dashboard, without a new request; the convention page shows the year being entered."""
    page = context.new_page()
    login(page, live_server, "porteur@demo.clas.fr")
    expect(page.get_by_text("Année 2/4 : saisir vos données prévisionnelles").first).to_be_visible()
    page.get_by_role("button", name="Saisir l'année 2/4").first.click()
    expect(page.get_by_role("heading", name="Les collectifs")).to_be_visible()
    shots(page, "19-porteur-convention-annee-2")
    project = Project.objects.filter(
        situation=2,
        convention__isnull=False,
        carrier__memberships__user__email="porteur@demo.clas.fr",
    ).get()
    assert project.campaign.year == 2026 and project.collectives.exists()
    page.goto(f"{live_server.url}/projets/conventions/{project.convention_id}/")
    expect(page.get_by_role("link", name=project.title).first).to_be_visible()
    pdf = page.get_by_role("link", name="Télécharger la convention (PDF)").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf}")
    assert response.status == 200, response.text()[:500]
    text = " ".join(pdf_text(response.body()).split())
    assert "pluriannuelle de 4 ans" in text and "Signatures" in text


@pytest.mark.django_db(transaction=True)
def test_declaration_journey(demo, live_server, context, shots):
    page = context.new_page()
    forecast = Declaration.objects.filter(
        kind="forecast",
        status="validated",
        project__carrier__memberships__user__email="porteur@demo.clas.fr",
    ).first()
    project = forecast.project
    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.locator("form[action$='/ouvrir/actual/'] button").click()
    page.get_by_label("Semaines d'activité (total)").fill("24")
    page.get_by_label("Semaines de septembre à décembre").fill("10")
    page.get_by_label("Semaines de janvier à août").fill("14")
    page.get_by_label("Semaines de janvier à août").press("Tab")
    warning = page.get_by_text("sous le minimum de 27")
    expect(warning).to_be_visible()
    page.get_by_label("Votre justification").first.fill("Salle fermée trois semaines.")
    shots(page, "15-porteur-declaration-reelle")
    page.get_by_role("button", name="Transmettre à la Caf").click()
    if page.get_by_text("Justifiez chaque point signalé").count():
        for box in page.get_by_label("Votre justification").all():
            box.fill("Explication détaillée pour la Caf.")
        page.get_by_role("button", name="Transmettre à la Caf").click()
    expect(page.get_by_text("Déclaration transmise à la Caf.")).to_be_visible()
    logout(page)

    login(page, live_server, "gc@demo.clas.fr")
    page.get_by_role("link", name="Déclarations").click()
    shots(page, "16-gc-file")
    # The demo has another carrier's declaration of the same title waiting (issue 17): its row.
    row = page.get_by_role("row").filter(has_text=project.carrier.legal_name)
    row.get_by_role("link", name=project.title).first.click()
    for _ in range(5):  # one click per pending justification
        if not page.get_by_role("button", name="Accepter").count():
            break
        page.get_by_role("button", name="Accepter").first.click()
        expect(page.get_by_text("Justification acceptée.")).to_be_visible()
    shots(page, "17-gc-traitement")
    page.get_by_role("button", name="Valider et figer le droit").click()
    expect(page.get_by_role("heading", name="Ce qui va se passer")).to_be_visible()
    page.get_by_role("button", name="Confirmer la validation").click()
    expect(page.get_by_text("Déclaration validée")).to_be_visible()
    logout(page)

    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    expect(page.get_by_role("cell", name=re.compile("Solde|Indu"))).to_be_visible()
    shots(page, "18-porteur-solde")


@pytest.mark.django_db(transaction=True)
def test_a_request_reopened_twice_is_unblocked_by_its_advisor(demo, live_server, context):
    """Issue 20: the advisor reopens one section, then another; the carrier asks for help by
    message; the advisor reads it from the dashboard, answers from the instruction page and takes
    the request back. A session dated later cannot be closed yet."""
    project = Project.objects.filter(
        status="submitted", carrier__memberships__user__email="porteur@demo.clas.fr"
    ).first()
    review = f"{live_server.url}/comite/instruction/{project.pk}/"
    page = context.new_page()
    login(page, live_server, "ccd@demo.clas.fr")
    page.goto(review)
    page.get_by_role("button", name="Commencer l'instruction").click()
    page.get_by_label("Les collectifs").check()
    page.get_by_label("Message au porteur").fill("Précisez les horaires des collectifs.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Demande de modifications envoyée au porteur.")).to_be_visible()
    # Waiting on the carrier, the request still has a way forward: reopen one more section.
    expect(page.get_by_role("button", name="Reprendre l'instruction")).to_be_visible()
    page.get_by_label("Le budget").check()
    page.get_by_label("Message au porteur").fill("Le budget aussi, merci.")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Sections rouvertes : Les collectifs, Le budget.")).to_be_visible()
    logout(page)

    login(page, live_server, "porteur@demo.clas.fr")
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("link", name="Modifier les sections rouvertes").click()
    expect(page.get_by_role("heading", name="Les collectifs", level=1)).to_be_visible()
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_label("Votre message").fill("Je ne sais pas où joindre le nouveau document.")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    logout(page)

    login(page, live_server, "ccd@demo.clas.fr")
    expect(page.get_by_text("Nouveaux messages des porteurs")).to_be_visible()
    page.locator(f"a[href='/comite/instruction/{project.pk}/#echanges']").click()
    expect(page.get_by_text("Je ne sais pas où joindre le nouveau document.")).to_be_visible()
    page.get_by_label("Votre réponse au porteur").fill("Je reprends la demande, rien à faire.")
    page.get_by_role("button", name="Répondre au porteur").click()
    expect(page.get_by_text("Message envoyé.")).to_be_visible()
    page.get_by_role("button", name="Reprendre l'instruction").click()
    expect(
        page.get_by_text("Demande reprise en instruction : le porteur en est informé.")
    ).to_be_visible()
    project.refresh_from_db()
    assert project.status == "under_review" and project.reopened_sections == []
    logout(page)

    # A session dated later is not closable yet: the page says from when.
    later = CommitteeSession.objects.filter(
        caf__name="Loire", status="open", date__gt=timezone.localdate()
    ).first()
    if later is not None:
        login(page, live_server, "admin@demo.clas.fr")
        page.goto(f"{live_server.url}/comite/comites/{later.pk}/")
        expect(page.get_by_text("il pourra être clos à partir de cette date")).to_be_visible()
