"""Issue 17 (piece B): a decision revised or an agrément withdrawn once money exists. What
follows is listed and confirmed first, no payment can move any more (rule and database), what
was paid becomes an amount to recover, and the carrier reads it in French, step by step."""

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clasportal.rules import can
from committee.models import ExportJob
from declarations import agreement, services
from declarations.models import Declaration, Payment, Recovery
from declarations.payments import _set_payment
from projects.models import ProjectStatus

from .declaration_helpers import approve
from .test_declarations import open_and_fill

pytestmark = pytest.mark.django_db


def validated_forecast(client, world):
    """An approved project, its forecast (30 weeks, 9 000 € of charges) validated by the GC:
    right 2 811,90 €, advances 984,16 € and 984,17 €."""
    project = approve(world)
    forecast, payload = open_and_fill(client, world, "forecast", {})
    client.post(reverse("declarations:edit", args=[forecast.pk]), {**payload, "action": "submit"})
    client.force_login(world.processor)
    client.post(reverse("declarations:validate", args=[forecast.pk]), {"confirm": "1"})
    forecast.refresh_from_db()
    assert forecast.status == "validated" and forecast.right == Decimal("2811.90")
    return project


def move(client, world, kind, times):
    payment = Payment.objects.get(project=world.project, kind=kind)
    client.force_login(world.payer)  # not the GC who validated (separation of duties)
    for _ in range(times):
        client.post(reverse("declarations:payment_advance", args=[payment.pk]))
    payment.refresh_from_db()
    return payment


def revise_to_refused(client, world, *, confirm):
    item = world.project.agenda_items.get()
    prefix = f"item{item.pk}"
    client.force_login(world.committee)
    data = {
        f"{prefix}-outcome": "refused",
        f"{prefix}-collectives": "0",
        f"{prefix}-reason": "Manquements constatés lors de la visite du 05/01/2027.",
    }
    if confirm:
        data["confirm"] = "1"
    url = reverse("committee:session_decide", args=[item.session_id, item.pk])
    return client.post(url, data)


def test_revision_after_two_advances_lists_then_cancels_and_recovers_what_was_paid(client, loire):
    project = validated_forecast(client, loire)
    first = move(client, loire, "advance_1", 2)  # sent, then paid
    second = move(client, loire, "advance_2", 1)  # sent to the accounting system
    assert (first.status, second.status) == ("paid", "sent")
    client.force_login(loire.carrier_user)
    client.post(reverse("declarations:open", args=[project.pk, "actual"]))
    actual = Declaration.objects.get(project=project, kind="actual")

    # First the list of what follows, nothing changed yet.
    page = revise_to_refused(client, loire, confirm=False).content.decode()
    assert "Ce qui va se passer" in page
    assert "Déclaration réelle (brouillon) : annulée." in page
    assert "Second acompte de 984,17\u00a0€ (Transmis à la comptabilité) : annulé" in page
    assert "indu à récupérer de 984,16\u00a0€" in page
    assert "Aucun paiement ne pourra plus avancer sur ce projet." in page
    project.refresh_from_db()
    second.refresh_from_db()
    assert project.status == "approved" and second.status == "sent"
    assert not Recovery.objects.exists()

    response = revise_to_refused(client, loire, confirm=True)
    assert response.status_code == 302
    project.refresh_from_db()
    actual.refresh_from_db()
    assert project.status == ProjectStatus.REFUSED
    assert actual.status == "cancelled"
    payments = {p.kind: p for p in project.payments.all()}
    assert payments["advance_1"].status == "paid"
    assert payments["advance_2"].status == "cancelled"
    assert not any(p.project_approved for p in payments.values())
    # The amount to recover equals what the Caf paid.
    paid = sum(p.amount for p in payments.values() if p.status == "paid")
    recovery = Recovery.objects.get(project=project)
    assert recovery.amount == paid == Decimal("984.16")
    assert recovery.status == "notified" and recovery.origin == "revision"
    assert recovery.reason == "Manquements constatés lors de la visite du 05/01/2027."
    # Traced: who, when, before, after — on the payment's history and the audit trail.
    last = payments["advance_2"].history.order_by("history_date").last()
    assert last.status == "cancelled" and last.history_user == loire.committee
    event = project.events.get(action="recovery_notified")
    assert event.actor == loire.committee and event.data == {"before": "0.00", "after": "984.16"}

    # No payment can move: the rule...
    for payment in payments.values():
        assert not can(loire.payer, "declarations.advance_payment", payment)
    client.force_login(loire.payer)
    response = client.post(
        reverse("declarations:payment_advance", args=[payments["advance_2"].pk]), follow=True
    )
    assert "Le projet est au statut « Refusé » : aucun paiement ne peut avancer." in (
        response.content.decode()
    )
    with pytest.raises(services.DeclarationError):
        services.advance_payment(payments["advance_2"].pk, by=loire.payer)
    # ... and the database, whatever the code path.
    for status in ("to_pay", "sent"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.filter(pk=payments["advance_2"].pk).update(status=status)
    assert Payment.objects.get(pk=payments["advance_2"].pk).status == "cancelled"


def test_a_project_no_longer_approved_opens_no_payment(client, loire):
    project = approve(loire)
    forecast, payload = open_and_fill(client, loire, "forecast", {})
    client.post(reverse("declarations:edit", args=[forecast.pk]), {**payload, "action": "submit"})
    revise_to_refused(client, loire, confirm=True)
    forecast.refresh_from_db()
    assert forecast.status == "cancelled"  # an open declaration is cancelled
    project.refresh_from_db()
    assert project.status == "refused" and not Recovery.objects.exists()
    # Even forced, no payment opens on a project no longer approved (the validation rolls back).
    with pytest.raises(services.DeclarationError, match="aucun paiement ne peut être ouvert"):
        _set_payment(project, forecast, None, "advance_1", Decimal("1"), "to_pay", loire.processor)
    assert not project.payments.exists()


def test_revision_changing_the_figures_after_advances_is_refused(client, loire):
    validated_forecast(client, loire)
    item = loire.project.agenda_items.get()
    prefix = f"item{item.pk}"
    client.force_login(loire.committee)
    response = client.post(
        reverse("committee:session_decide", args=[item.session_id, item.pk]),
        {
            f"{prefix}-outcome": "approved",
            f"{prefix}-collectives": "1",
            f"{prefix}-bonus_parents": "on",
            f"{prefix}-reason": "",
        },
    )
    text = response.content.decode()
    assert "ses acomptes reposent sur les chiffres agréés" in text
    loire.project.refresh_from_db()
    assert loire.project.status == "approved"


def withdraw(client, world, *, weeks_run, confirm):
    client.force_login(world.committee)
    data = {
        "action": "withdraw",
        "effective_on": "2027-01-15",
        "weeks_run": str(weeks_run),
        "reason": "Registres de présence absents, accueil fermé depuis décembre.",
    }
    if confirm:
        data["confirm"] = "1"
    return client.post(reverse("declarations:agreement", args=[world.project.pk]), data)


def test_withdrawal_mid_year_prorates_the_right_and_recovers_the_excess(client, loire):
    project = validated_forecast(client, loire)
    move(client, loire, "advance_1", 2)
    move(client, loire, "advance_2", 2)
    page = withdraw(client, loire, weeks_run=10, confirm=False).content.decode()
    assert (
        "2\u202f811,90\u00a0€ au prorata des semaines réalisées (10 sur 30) : 937,30\u00a0€."
        in page
    )
    assert "indu à récupérer de 1\u202f031,03\u00a0€" in page
    project.refresh_from_db()
    assert project.status == "approved"

    response = withdraw(client, loire, weeks_run=10, confirm=True)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.WITHDRAWN
    # Computed independently: 2 811,90 € × 10 ÷ 30, to the cent, half up; paid 1 968,33 €.
    exact = Fraction("2811.90") * 10 / 30
    prorated = Decimal(int(exact * 100 + Fraction(1, 2))) / 100
    paid = Decimal("984.16") + Decimal("984.17")
    change = project.agreement_changes.get()
    assert change.prorated_right == prorated == Decimal("937.30")
    assert (change.weeks_run, change.weeks_planned, change.paid) == (10, 30, paid)
    recovery = Recovery.objects.get(project=project)
    assert recovery.amount == paid - prorated == Decimal("1031.03")
    assert recovery.origin == "withdrawal" and change.recovery == recovery
    assert project.events.filter(action="withdraw", actor=loire.committee).exists()

    # The carrier reads it on its project page, in French, step by step.
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Agrément retiré" in page
    assert "Retrait de l&#x27;agrément</strong> à compter du 15/01/2027" in page
    assert 'Indu à récupérer : <span class="amount">1\u202f031,03\u00a0€</span>' in page
    assert "Registres de présence absents, accueil fermé depuis décembre." in page
    assert (
        "Droit au prorata des semaines réalisées : 2\u202f811,90\u00a0€ × 10 ÷ 30 = "
        "937,30\u00a0€ (arrondi au centime)." in page
    )
    assert "Indu à récupérer : 1\u202f968,33\u00a0€ − 937,30\u00a0€ = 1\u202f031,03\u00a0€." in page


def test_withdrawal_needs_weeks_and_a_reason_and_keeps_the_entries(client, loire):
    validated_forecast(client, loire)
    client.force_login(loire.committee)
    response = client.post(
        reverse("declarations:agreement", args=[loire.project.pk]),
        {"action": "withdraw", "effective_on": "2027-01-15", "weeks_run": "", "reason": ""},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez les semaines réalisées" in text
    assert "Motivez la décision : le porteur lit ce motif." in text
    assert 'value="2027-01-15"' in text
    assert loire.project.agreement_changes.count() == 0


@pytest.mark.parametrize("attr", ["processor", "advisor", "caf_admin", "carrier_user"])
def test_only_the_committee_changes_an_agrement(client, loire, attr):
    approve(loire)
    client.force_login(getattr(loire, attr))
    url = reverse("declarations:agreement", args=[loire.project.pk])
    assert client.get(url).status_code == 403


def test_suspension_holds_payments_and_lifting_releases_them(client, loire):
    project = validated_forecast(client, loire)
    move(client, loire, "advance_1", 1)  # sent
    record = agreement.change_agreement(
        project.pk,
        "suspend",
        by=loire.committee,
        reason="Contrôle en cours : attestation d'assurance manquante.",
        effective_on=date(2026, 12, 1),
    )
    project.refresh_from_db()
    assert project.status == "suspended" and record.kind == "suspension"
    payments = {p.kind: p for p in project.payments.all()}
    assert {p.status for p in payments.values()} == {"on_hold"}
    assert not can(loire.payer, "declarations.advance_payment", payments["advance_1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payments["advance_1"].pk).update(status="to_pay")
    assert not Recovery.objects.exists()  # a suspension recovers nothing

    agreement.change_agreement(
        project.pk,
        "lift_suspension",
        by=loire.committee,
        reason="Attestation reçue le 10/12/2026.",
        effective_on=date(2026, 12, 10),
    )
    project.refresh_from_db()
    assert project.status == "approved"
    payment = move(client, loire, "advance_1", 1)
    assert payment.status == "sent"  # moves again, from the start of the flow
    assert [h.status for h in payment.history.order_by("history_date")] == [
        "to_pay",
        "sent",
        "on_hold",
        "to_pay",
        "sent",
    ]


def test_gc_sees_exports_and_settles_the_amount_to_recover(client, loire):
    project = validated_forecast(client, loire)
    move(client, loire, "advance_1", 2)
    revise_to_refused(client, loire, confirm=True)
    recovery = Recovery.objects.get(project=project)
    client.force_login(loire.payer)
    page = client.get(reverse("declarations:payments")).content.decode()
    assert "Indus à récupérer" in page and "Manquements constatés" in page
    client.post(reverse("declarations:payment_export", args=["csv"]))
    job = ExportJob.objects.get(kind="payments_csv")
    content = b"".join(
        client.get(reverse("declarations:payment_export_download", args=[job.pk])).streaming_content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Motif"
    indu = [row for row in rows if row[0] == f"INDU-{recovery.pk:06d}"]
    assert indu and indu[0][6] == "Indu à récupérer" and indu[0][7] == "984,16"
    assert indu[0][8] == "Notifié au porteur" and "Manquements constatés" in indu[0][10]

    # Cancelling needs a reason; recovering on the next payment is traced.
    client.post(
        reverse("declarations:recovery_settle", args=[recovery.pk]),
        {"action": "cancel_recovery", "note": ""},
    )
    recovery.refresh_from_db()
    assert recovery.status == "notified"
    client.post(
        reverse("declarations:recovery_settle", args=[recovery.pk]),
        {"action": "offset_recovery", "note": "Retenu sur le solde 2027"},
    )
    recovery.refresh_from_db()
    assert recovery.status == "offset" and recovery.settled_by == loire.payer
    history = list(recovery.history.order_by("history_date"))
    assert [h.status for h in history] == ["notified", "offset"]
    assert history[-1].history_user == loire.payer
    client.force_login(loire.carrier_user)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Récupéré sur le prochain paiement" in page and "Retenu sur le solde 2027" in page
    # The carrier does not settle it.
    client.force_login(loire.carrier_user)
    assert (
        client.post(
            reverse("declarations:recovery_settle", args=[recovery.pk]),
            {"action": "repay_recovery"},
        ).status_code
        == 403
    )


def test_demo_has_an_amount_to_recover_for_the_gc_and_the_carrier(client):
    from django.core.management import call_command

    from clasportal.management.demo_recoveries import REASON

    call_command("seed_demo", "--reset", verbosity=0)
    recovery = Recovery.objects.get(project__campaign__year=2025)
    project = recovery.project
    assert project.status == "withdrawn" and recovery.reason == REASON
    change = project.agreement_changes.get()
    assert recovery.amount == change.paid - change.prorated_right > 0
    assert change.weeks_run == 12
    client.login(username="gc-paiements@demo.clas.fr", password="demo-clas-2026")
    page = client.get(reverse("declarations:payments")).content.decode()
    assert "Indus à récupérer" in page and "registres de présence non tenus" in page
    client.login(username="porteur@demo.clas.fr", password="demo-clas-2026")
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Le calcul, étape par étape" in page
    assert "réalisées avant le retrait : 12 sur 30." in page
    # In 2026/2027 an agrément is suspended: its unpaid payments, if any, are held.
    suspended = type(project).objects.get(campaign__year=2026, status="suspended")
    assert suspended.agreement_changes.get().kind == "suspension"
    assert {p.status for p in suspended.payments.all()} <= {"on_hold"}


def test_a_revision_before_any_money_asks_nothing_more(client, loire):
    approve(loire)
    response = revise_to_refused(client, loire, confirm=False)
    assert response.status_code == 302  # recorded at once, as before issue 17
    loire.project.refresh_from_db()
    assert loire.project.status == "refused" and not Recovery.objects.exists()
