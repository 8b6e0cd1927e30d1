"""French words where a new user saw English, codes or awkward text (issue 20)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from clasportal.templatetags.clas import file_size
from committee.exports import plural
from committee.forms import SessionForm
from declarations.services import check_topic
from projects.models import Situation
from projects.steps import steps_for

pytestmark = pytest.mark.django_db


def test_sizes_in_ko_and_plurals_from_two():
    assert file_size(900) == "900 octets"
    assert file_size(12 * 1024) == "12 Ko"
    assert file_size(int(1.4 * 1024 * 1024)) == "1,4 Mo"
    assert plural(1, "porteur") == "1 porteur" and plural(2, "agréé") == "2 agréés"
    assert plural(0, "agréé") == "0 agréé"


def test_check_codes_are_words_in_the_history():
    assert check_topic("children_out_of_range") == "enfants par collectif hors de la fourchette"
    assert "_" not in check_topic("something_unknown")


def test_the_session_form_says_campagne(loire):
    form = SessionForm(user=loire.caf_admin)
    assert form.fields["campaign"].label == "Campagne"


def test_an_existing_carrier_may_file_a_brand_new_project(client, loire):
    assert Situation.NEW_PROJECT.label == "Nouveau projet d'un porteur déjà financé"
    loire.project.situation = Situation.NEW_PROJECT
    assert [s.slug for s in steps_for(loire.project)][:3] == ["structure", "projet", "collectifs"]
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:create")).content.decode()
    assert "Nouveau projet d&#x27;un porteur déjà financé" in page
    assert "Situation 1" not in page


@override_settings(DEBUG=True)
def test_the_portal_404_in_development(client, loire, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "clasportal.middleware.PortalNotFoundMiddleware"]
    client.force_login(loire.carrier_user)
    response = client.get("/cette-page-n-existe-pas/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "DEBUG = True" not in page and "Page not found" not in page


def test_the_command_line_speaks_french_about_a_missing_file(tmp_path):
    from funding.cases import CaseError
    from funding.cli import read_case_text

    with pytest.raises(CaseError) as missing:
        read_case_text(str(tmp_path / "introuvable.json"))
    message = missing.value.errors[0]["message"]
    assert message.endswith(": fichier introuvable.") and "No such file" not in message
    with pytest.raises(CaseError) as folder:
        read_case_text(str(tmp_path))
    assert "c'est un dossier" in folder.value.errors[0]["message"]
