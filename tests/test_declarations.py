"""Forecast and actual declarations: checks, justifications, GC processing, advances, balance."""

import io
import json
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from committee.models import ExportJob
from declarations import services
from declarations.models import Declaration, Justification, Payment

from .declaration_helpers import approve

pytestmark = pytest.mark.django_db


def cli(case):
    out = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(json.dumps(case))
    try:
        call_command("clas_funding", "-", stdout=out)
    finally:
        sys.stdin = stdin
    return json.loads(out.getvalue())


def budget(charges="9000", products="9000"):
    return {"charge_64": charges, "subsidy_commune": products}


def open_and_fill(client, world, kind, data):
    project = world.project
    client.force_login(world.carrier_user)
    response = client.post(reverse("declarations:open", args=[project.pk, kind]))
    declaration = Declaration.objects.get(project=project, kind=kind)
    assert response["Location"] == reverse("declarations:edit", args=[declaration.pk])
    payload = {
        "collectives": "1",
        "weeks": "30",
        "weeks_sept_dec": "12",
        "weeks_jan_aug": "18",
        "sessions_per_week": "2",
        "bonus_children_collectives": "0",
        "bonus_parents_collectives": "0",
        "children_1": "10",
        **budget(),
    }
    if kind == "actual":
        payload.update(
            {
                name: "0"
                for name in (
                    "children_elementaire",
                    "children_college",
                    "children_lycee",
                    "children_hors_filiere",
                    "girls",
                    "boys",
                    "qpv_residents",
                    "families",
                    "parents_reached",
                    "sessions_held",
                    "presences",
                    "staff_fte_paid",
                    "staff_fte_volunteer",
                    "staff_hours",
                )
            }
        )
    payload.update(data)
    return declaration, payload


def test_forecast_gives_advances_equal_to_the_engine(client, loire):
    project = approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    response = client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    declaration.refresh_from_db()
    assert declaration.status == "submitted" and declaration.findings == []
    client.force_login(loire.processor)
    client.post(reverse("declarations:validate", args=[declaration.pk]), {"confirm": "1"})
    declaration.refresh_from_db()
    assert declaration.status == "validated"
    expected = cli(services.funding_case(declaration))["forecast"]
    assert declaration.right == Decimal(expected["right"]) == Decimal("2811.90")
    advances = {p.kind: p.amount for p in project.payments.all()}
    # 35 % + 35 % of 2 811,90, each rounded down; together within the 70 % cap
    assert advances == {"advance_1": Decimal("984.16"), "advance_2": Decimal("984.17")}
    assert sum(advances.values()) <= Decimal(expected["advances_max"])


def test_actual_with_a_warning_needs_a_justification_then_the_gc_validates(client, loire):
    project = approve(loire)
    forecast, payload = open_and_fill(client, loire, "forecast", {})
    client.post(reverse("declarations:edit", args=[forecast.pk]), {**payload, "action": "submit"})
    client.force_login(loire.processor)
    client.post(reverse("declarations:validate", args=[forecast.pk]), {"confirm": "1"})

    actual, payload = open_and_fill(
        client,
        loire,
        "actual",
        {
            "weeks": "24",
            "weeks_sept_dec": "10",
            "weeks_jan_aug": "14",
            "charge_64": "8000",
            "subsidy_commune": "8000",
        },
    )
    response = client.post(
        reverse("declarations:edit", args=[actual.pk]), {**payload, "action": "submit"}
    )
    text = response.content.decode()
    assert "Justifiez chaque point signalé" in text and "sous le minimum de 27" in text
    actual.refresh_from_db()
    assert actual.status == "draft" and actual.weeks == 24  # the entries were kept
    response = client.post(
        reverse("declarations:edit", args=[actual.pk]),
        {
            **payload,
            "action": "submit",
            "justify__weeks_below_minimum__weeks": "Locaux fermés trois semaines (travaux).",
        },
    )
    assert response.status_code == 302
    justification = Justification.objects.get(declaration=actual)
    assert justification.code == "weeks_below_minimum"

    client.force_login(loire.processor)
    response = client.post(
        reverse("declarations:validate", args=[actual.pk]), {"confirm": "1"}, follow=True
    )
    assert "à accepter ou rejeter avant de valider" in response.content.decode()
    client.post(
        reverse("declarations:justification", args=[actual.pk, justification.pk]),
        {"decision": "accept", "note": "Vu"},
    )
    client.post(reverse("declarations:validate", args=[actual.pk]), {"confirm": "1"})
    actual.refresh_from_db()
    assert actual.status == "validated"
    expected = cli(services.funding_case(actual))["actual"]
    # 0.325 × 8000 × 24/27 = 2311.11; advances 1968.33 → balance 342.78
    assert actual.right == Decimal(expected["right"]) == Decimal("2311.11")
    balance = project.payments.get(kind="balance")
    assert balance.amount == Decimal(expected["balance"]) == Decimal("342.78")
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "342,78\u00a0€" in page and "24/27" in page


def test_negative_balance_is_an_amount_to_recover(client, loire):
    project = approve(loire)
    forecast, payload = open_and_fill(client, loire, "forecast", {})
    client.post(reverse("declarations:edit", args=[forecast.pk]), {**payload, "action": "submit"})
    client.force_login(loire.processor)
    client.post(reverse("declarations:validate", args=[forecast.pk]), {"confirm": "1"})
    actual, payload = open_and_fill(
        client, loire, "actual", {"charge_64": "3000", "subsidy_commune": "3000"}
    )
    client.post(
        reverse("declarations:edit", args=[actual.pk]),
        {
            **payload,
            "action": "submit",
            "justify__charges_variation__charges": "Une animatrice partie en cours d'année.",
        },
    )
    client.force_login(loire.processor)
    justification = actual.justifications.get()
    client.post(
        reverse("declarations:justification", args=[actual.pk, justification.pk]),
        {"decision": "reject"},
    )
    client.post(reverse("declarations:validate", args=[actual.pk]), {"confirm": "1"})
    recovery = project.payments.get(kind="recovery")
    # right 975.00 − advances 1968.33 = −993.33
    assert recovery.amount == Decimal("993.33") and recovery.status == "to_recover"


def test_blocking_errors_prevent_submission(client, loire):
    approve(loire)
    declaration, payload = open_and_fill(
        client,
        loire,
        "forecast",
        {"collectives": "2", "children_1": "10", "bonus_parents_collectives": "1"},
    )
    response = client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    text = response.content.decode()
    assert "erreurs bloquantes" in text
    assert "agréés par le comité" in text and "bonus « parents »" in text
    declaration.refresh_from_db()
    assert declaration.status == "draft"


def test_live_checks_answer_a_fragment(client, loire):
    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {"weeks_jan_aug": "10"})
    response = client.post(
        reverse("declarations:check", args=[declaration.pk]),
        payload,
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert "<html" not in text and "font 22, pas le total" in text


def test_gc_returns_for_correction(client, loire):
    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    client.force_login(loire.processor)
    response = client.post(reverse("declarations:return", args=[declaration.pk]), {"message": ""})
    assert "Ce champ est obligatoire" in response.content.decode()
    client.post(
        reverse("declarations:return", args=[declaration.pk]),
        {"message": "Le budget ne correspond pas aux factures."},
    )
    declaration.refresh_from_db()
    assert declaration.status == "returned"
    client.force_login(loire.carrier_user)
    page = client.get(reverse("declarations:edit", args=[declaration.pk])).content.decode()
    assert "Le budget ne correspond pas aux factures." in page


def test_payments_flow_export_and_trace(client, loire):
    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    client.force_login(loire.processor)
    client.post(reverse("declarations:validate", args=[declaration.pk]), {"confirm": "1"})
    payment = Payment.objects.get(kind="advance_1")
    # Separation of duties: the GC who validated the right does not pay it.
    page = client.get(reverse("declarations:payments")).content.decode()
    assert "Un autre GC (séparation des tâches)" in page
    response = client.post(reverse("declarations:payment_advance", args=[payment.pk]), follow=True)
    assert "séparation des tâches" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == "to_pay"
    client.force_login(loire.caf_admin)  # the refused attempt is on the audit page
    audit = client.get(reverse("audit"), {"action": "duty_refused"}).content.decode()
    assert "séparation des tâches" in audit and str(loire.processor) in audit
    client.force_login(loire.processor)
    client.force_login(loire.payer)
    client.post(reverse("declarations:payment_advance", args=[payment.pk]))
    client.post(
        reverse("declarations:payment_advance", args=[payment.pk]), {"reason": "Virement du 02/11"}
    )
    payment.refresh_from_db()
    assert payment.status == "paid"
    history = list(payment.history.order_by("history_date"))
    assert [h.status for h in history] == ["to_pay", "sent", "paid"]
    assert history[-1].history_change_reason == "Virement du 02/11"
    assert history[-1].history_user == loire.payer
    response = client.post(reverse("declarations:payment_export", args=["csv"]))
    job = ExportJob.objects.get(kind="payments_csv")
    assert response["Location"] == reverse("declarations:payment_export_status", args=[job.pk])
    download = client.get(reverse("declarations:payment_export_download", args=[job.pk]))
    csv_text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert (
        "Premier acompte" in csv_text and "984,16" in csv_text and loire.carrier.siret in csv_text
    )
    client.post(reverse("declarations:payment_export", args=["xlsx"]))
    job = ExportJob.objects.get(kind="payments_xlsx")
    xlsx = client.get(reverse("declarations:payment_export_download", args=[job.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_declarations_are_404_across_carriers_and_caf(client, loire, vosges):
    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    urls = [
        reverse("declarations:edit", args=[declaration.pk]),
        reverse("declarations:process", args=[declaration.pk]),
    ]
    for user in (loire.other_carrier_user, vosges.carrier_user, vosges.processor):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code in (403, 404)
        assert client.get(urls[0]).status_code == 404
        assert client.post(
            reverse("declarations:validate", args=[declaration.pk]), {"confirm": "1"}
        ).status_code in (
            403,
            404,
        )
    client.force_login(vosges.processor)
    assert client.get(urls[1]).status_code == 404
    assert (
        client.post(
            reverse("declarations:validate", args=[declaration.pk]), {"confirm": "1"}
        ).status_code
        == 404
    )
    payment_list = client.get(reverse("declarations:payments")).content.decode()
    assert loire.carrier.legal_name not in payment_list


def test_only_the_gc_processes(client, loire):
    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    for user in (loire.advisor, loire.committee, loire.caf_admin, loire.carrier_user):
        client.force_login(user)
        assert (
            client.post(
                reverse("declarations:validate", args=[declaration.pk]), {"confirm": "1"}
            ).status_code
            == 403
        )
    declaration.refresh_from_db()
    assert declaration.status == "submitted"


def test_late_declarations_are_flagged(client, loire):
    import datetime

    approve(loire)
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    declaration.due_on = datetime.date(2026, 1, 1)
    declaration.save()
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    client.force_login(loire.processor)
    page = client.get(reverse("declarations:queue"), {"late": "1"}).content.decode()
    assert "en retard" in page and loire.project.title in page


def test_declaration_needs_an_approved_project(client, loire):
    client.force_login(loire.carrier_user)
    response = client.post(
        reverse("declarations:open", args=[loire.project.pk, "forecast"]), follow=True
    )
    assert "Seul un projet agréé" in response.content.decode()
    assert not Declaration.objects.exists()


def test_dashboards_show_declarations_to_do(client, loire):
    project = approve(loire)
    client.force_login(loire.carrier_user)
    page = client.get(reverse("home")).content.decode()
    assert "Déclarations à faire" in page and "à commencer" in page and project.title in page
    declaration, payload = open_and_fill(client, loire, "forecast", {})
    client.post(
        reverse("declarations:edit", args=[declaration.pk]), {**payload, "action": "submit"}
    )
    client.force_login(loire.processor)
    page = client.get(reverse("home")).content.decode()
    assert "Déclarations à traiter (1)" in page
