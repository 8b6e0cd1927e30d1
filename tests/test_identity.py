"""A carrier's identity (name, SIRET, legal status, representative) is the Caf's to validate
once a request is deposited; money already decided keeps the identity it was decided with."""

import pytest
from django.urls import reverse

from declarations import services as declarations
from declarations.models import Payment
from projects.models import CarrierIdentityChange
from projects.views.request import step_url

from .declaration_helpers import approve

pytestmark = pytest.mark.django_db

COLLECTIVITE_TO_ASSOCIATION = {
    "legal_name": "Association Nouvelle Vie",
    "siret": "73282932000074",
    "kind": "association",
    "legal_representative": "Mme Lune",
    "reason": "Reprise de l'activité par une association (statuts joints).",
}


@pytest.fixture
def decided(loire):
    loire.carrier.kind = "collectivite"
    loire.carrier.save()
    project = approve(loire)
    forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
    found = declarations.findings(forecast)
    declarations.submit(
        forecast.pk, by=loire.carrier_user, justifications={(f.code, f.field): "ok" for f in found}
    )
    for justification in forecast.justifications.all():
        declarations.decide_justification(justification.pk, by=loire.processor, accepted=True)
    declarations.validate(forecast.pk, by=loire.processor)
    return project


def test_the_structure_step_no_longer_rewrites_a_known_identity(client, loire, decided):
    carrier = loire.carrier
    before = (carrier.legal_name, carrier.siret, carrier.kind)
    client.force_login(loire.carrier_user)
    client.post(
        step_url(decided, "structure"),
        {**COLLECTIVITE_TO_ASSOCIATION, "address": "1 rue Neuve", "go": "save"},
    )
    carrier.refresh_from_db()
    assert (carrier.legal_name, carrier.siret, carrier.kind) == before


def test_a_change_is_requested_then_accepted_and_decided_money_keeps_its_identity(
    client, loire, decided, mailoutbox, django_capture_on_commit_callbacks
):
    carrier = loire.carrier
    right_before = declarations.funding_case(decided.declarations.get(kind="forecast"))
    payee = Payment.objects.filter(project=decided).values_list("payee_name", "payee_siret")[0]
    client.force_login(loire.carrier_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:identity_change_request", args=[carrier.pk]),
            COLLECTIVITE_TO_ASSOCIATION,
        )
    change = CarrierIdentityChange.objects.get()
    assert change.status == "pending" and change.changes["kind"] == ["collectivite", "association"]
    carrier.refresh_from_db()
    assert carrier.kind == "collectivite"  # nothing changes before the Caf says so
    assert any(loire.advisor.email in m.to for m in mailoutbox)
    # The carrier cannot decide its own request; another Caf's staff cannot see it.
    decide_url = reverse("projects:identity_change_decide", args=[change.pk])
    assert client.post(decide_url, {"decision": "accept"}).status_code == 403
    client.force_login(loire.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url, {"decision": "accept"})
    carrier.refresh_from_db()
    assert (carrier.kind, carrier.siret) == ("association", "73282932000074")
    assert carrier.history.first().history_change_reason.startswith("Modification d'identité")
    # Money decided as a collectivité stays so: the declaration case keeps the decided kind,
    # and the payments keep their payee.
    forecast = decided.declarations.get(kind="forecast")
    assert declarations.funding_case(forecast)["carrier_kind"] == "collectivite"
    assert declarations.funding_case(forecast) == right_before
    assert (
        Payment.objects.filter(project=decided).values_list("payee_name", "payee_siret")[0] == payee
    )
    assert any(m.subject.startswith("Modification d'identité acceptée") for m in mailoutbox)


def test_a_refusal_is_motivated_and_changes_nothing(client, loire, decided, vosges):
    client.force_login(loire.carrier_user)
    client.post(
        reverse("projects:identity_change_request", args=[loire.carrier.pk]),
        {**COLLECTIVITE_TO_ASSOCIATION, "siret": "12345678901234"},
    )
    assert not CarrierIdentityChange.objects.exists()  # an invalid SIRET is refused at once
    client.post(
        reverse("projects:identity_change_request", args=[loire.carrier.pk]),
        COLLECTIVITE_TO_ASSOCIATION,
    )
    change = CarrierIdentityChange.objects.get()
    url = reverse("projects:identity_change_decide", args=[change.pk])
    client.force_login(vosges.caf_admin)
    assert client.post(url, {"decision": "accept"}).status_code == 404
    client.force_login(loire.caf_admin)
    page = client.post(url, {"decision": "refuse"}, follow=True).content.decode()
    assert "Un refus doit être motivé." in page
    client.post(url, {"decision": "refuse", "note": "Statuts non fournis."})
    change.refresh_from_db()
    loire.carrier.refresh_from_db()
    assert change.status == "refused" and loire.carrier.kind == "collectivite"
