"""Issue 18 in Chromium, on the demo: the Vosges administrator's partners and session page, and
the Conseil départemental's partner account reading its session's agenda and a deposited file."""

import pytest

from .conftest import login, logout

pytestmark = pytest.mark.e2e


def test_partner_account_reads_its_session(page, live_server, demo, shots):
    login(page, live_server, "admin-vosges@demo.clas.fr")
    page.goto(f"{live_server.url}/comite/partenaires/")
    page.get_by_role("link", name="MSA Lorraine").wait_for()
    shots(page, "partners-list")
    page.get_by_role("link", name="Conseil départemental des Vosges").click()
    page.get_by_text("partenaire-cd@demo.clas.fr").wait_for()
    shots(page, "partners-edit")
    page.goto(f"{live_server.url}/comite/comites/")
    page.get_by_role("link").filter(has_text="/").last.click()
    page.get_by_text("Membres et présences").click()
    page.get_by_role("button", name="Enregistrer les présences").wait_for()
    shots(page, "session-people")
    logout(page)

    login(page, live_server, "partenaire-cd@demo.clas.fr")
    page.get_by_role("heading", name="Bienvenue, Conseil départemental des Vosges").wait_for()
    shots(page, "partner-home")
    page.get_by_role("table").get_by_role("link").first.click()
    page.get_by_role("heading", name="Ordre du jour", exact=False).wait_for()
    shots(page, "partner-session")
    page.locator("article h3 a").first.click()
    page.get_by_role("heading", name="Budget prévisionnel").wait_for()
    page.get_by_text("Décision : à prendre en comité.").wait_for()
    assert "RIB" not in page.locator("main").inner_text().replace("(statuts, RIB…)", "")
    shots(page, "partner-project")
