"""The old free financer amounts become partner organisations' decisions (issue 18)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("committee", "0005_partner_organisations")]
AFTER = [("committee", "0006_financing_schemes_envelopes_financer_decisions")]


@pytest.mark.django_db(transaction=True)
def test_other_financer_rows_become_partner_decisions():
    try:
        executor = MigrationExecutor(connection)
        # Every other app at its latest schema, the committee just before the schemes.
        before = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "committee"] + BEFORE
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        Caf = old.get_model("clasportal", "Caf")
        Commune = old.get_model("clasportal", "Commune")
        Carrier = old.get_model("projects", "Carrier")
        Campaign = old.get_model("projects", "Campaign")
        Project = old.get_model("projects", "Project")
        Session = old.get_model("committee", "CommitteeSession")
        AgendaItem = old.get_model("committee", "AgendaItem")
        Partner = old.get_model("committee", "PartnerOrganisation")
        Other = old.get_model("committee", "OtherFinancerDecision")
        caf = Caf.objects.create(number="088", name="Vosges", departement="88")
        commune = Commune.objects.create(
            insee_code="88160", name="Épinal", postcode="88000", caf=caf
        )
        carrier = Carrier.objects.create(
            legal_name="Vosges Savoirs", siret="78280000000018", kind="association",
            commune=commune, caf=caf, is_active=True,
        )  # fmt: skip
        campaign = Campaign.objects.create(
            caf=caf, year=2026, opens_on="2026-06-20", closes_on="2026-07-31"
        )
        project = Project.objects.create(
            carrier=carrier, campaign=campaign, title="Coup de pouce", situation=2
        )
        session = Session.objects.create(
            caf=caf, campaign=campaign, date="2026-10-14", place="Épinal"
        )
        item = AgendaItem.objects.create(session=session, project=project)
        msa = Partner.objects.create(caf=caf, kind="msa", name="MSA Lorraine")
        Other.objects.create(project=project, financer="msa", amount=1000, note="forfait")
        Other.objects.create(project=project, financer="departement", amount="450.50")

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        after = [n for n in before if n[0] != "committee"] + AFTER
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Decision = new.get_model("committee", "FinancerDecision")
        rows = {d.partner.name: d for d in Decision.objects.select_related("partner")}
        # The Caf's existing MSA is reused; a Conseil départemental is created for the Caf.
        assert rows["MSA Lorraine"].partner_id == msa.pk
        assert rows["MSA Lorraine"].amount == 1000 and rows["MSA Lorraine"].note == "forfait"
        assert rows["Conseil départemental"].amount == 450.50
        assert rows["Conseil départemental"].partner.kind == "departement"
        assert {d.item_id for d in rows.values()} == {item.pk}
        assert all(d.outcome == "granted" and d.scheme_id is None for d in rows.values())
    finally:
        # Back to the latest schema whatever happened, so the test database can be flushed.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
