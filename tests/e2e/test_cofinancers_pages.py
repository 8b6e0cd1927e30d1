"""Co-financers in the browser (issue 18, piece B): the Caf administrator's schemes and
envelopes, the committee page with each financer's envelope and decisions, a carrier's budget
step with the schemes, the figures per financer. Each page is looked at (screenshot) and passes
axe-core."""

import pytest
from django.urls import reverse

from committee.models import CommitteeSession, FinancerDecision
from projects.models import Project

from .conftest import login, logout

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_cofinancers_pages(demo, live_server, context, shots):
    page = context.new_page()
    login(page, live_server, "admin-vosges@demo.clas.fr")
    page.goto(live_server.url + reverse("committee:scheme_list"))
    assert page.get_by_role("heading", name="Dispositifs des cofinanceurs et enveloppes").count()
    assert page.get_by_text("1 000,00 € par porteur et par campagne").count()
    shots(page, "18b-dispositifs-enveloppes")
    logout(page)

    session = CommitteeSession.objects.get(caf__departement="88", status="open")
    item = session.items.get(project__carrier__legal_name="Familles rurales de la Haute-Vologne",
                             project__title="Coup de pouce en montagne")  # fmt: skip
    login(page, live_server, "comite-vosges@demo.clas.fr")
    page.goto(live_server.url + reverse("committee:session_detail", args=[session.pk]))
    assert page.get_by_role(
        "heading", name="Enveloppes des financeurs — campagne 2026/2027"
    ).count()
    shots(page, "18b-comite-financeurs")
    # The MSA forfait again on the carrier's second project: refused next to the amount.
    second = session.items.get(project__title="Collégiens de la Vologne")
    form = page.locator(f"form[action$='/financeurs/{second.pk}/']")
    form.get_by_label("Financeur").select_option(label="MSA Lorraine — Grandir en milieu rural")
    form.get_by_label("Montant accordé (€)").fill("1000")
    form.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("déjà accordé à ce porteur pour cette campagne").first.is_visible()
    shots(page, "18b-comite-forfait-refuse")
    assert FinancerDecision.objects.filter(item=item).count() == 1
    page.goto(live_server.url + reverse("declarations:figures"))
    shots(page, "18b-chiffres-financeurs")
    logout(page)

    login(page, live_server, "porteur-vosges@demo.clas.fr")
    project = Project.objects.filter(
        carrier__legal_name="Association Vosges Savoirs", campaign__year=2026
    ).first()
    if project is not None:
        page.goto(live_server.url + reverse("projects:step", args=[project.pk, "budget"]))
        assert page.get_by_role("heading", name="Dispositifs des cofinanceurs").count()
        shots(page, "18b-budget-dispositifs")
