"""Times of the heavy operations on the national data: the PDF agrément list of a 300-project
session (median of 3 runs, with the load average), its XLSX, the background export of 20 000
payments of one Caf (CSV and XLSX, the job's body as the worker runs it), and the recompute of
a whole campaign's stored decisions.

    DATABASE_URL=... .venv/bin/python bench/exports_and_recompute.py
"""

import copy
import os
import resource
import statistics
import sys
import time
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from clasportal.models import Caf, StaffProfile  # noqa: E402
from committee import exports, tasks  # noqa: E402
from committee.models import AgendaItem, CommitteeSession, ExportJob  # noqa: E402
from declarations.models import Payment  # noqa: E402
from funding.recompute import recompute_campaign  # noqa: E402
from projects.models import Campaign, Project  # noqa: E402

PAYMENTS = 20_000


def timed(label, function):
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    print(
        f"{label:55} {time.perf_counter() - start:7.2f} s (CPU {time.process_time() - cpu:.2f} s)"
    )
    return result


def main():
    caf = Caf.objects.get(number="100")
    campaign = Campaign.objects.get(caf=caf, year=2025)
    with transaction.atomic():
        session = CommitteeSession.objects.create(
            caf=caf, campaign=campaign, date=date(2025, 10, 20), place="Banc d'essai"
        )
        projects = Project.objects.filter(campaign__year=2025, status="approved")[:300]
        AgendaItem.objects.bulk_create(
            AgendaItem(session=session, project=p, position=i) for i, p in enumerate(projects)
        )
        rows = timed(
            "lignes de la liste d'agrément (300 projets)", lambda: exports.agenda_rows(session)
        )
        pdf = median_of_3(
            "PDF de la liste d'agrément (300 projets)", lambda: exports.agrement_pdf(session, rows)
        )
        xlsx = timed(
            "XLSX de la liste d'agrément (300 projets)",
            lambda: exports.agrement_xlsx(session, rows),
        )
        print(f"  PDF {len(pdf) // 1024} Kio, XLSX {len(xlsx) // 1024} Kio, {len(rows)} lignes")
        transaction.set_rollback(True)
    payments_export()
    report = timed(
        "recalcul d'une campagne (une Caf, 2025)", lambda: recompute_campaign(year=2025, caf=caf)
    )
    summary(report)
    report = timed(
        "recalcul de la campagne nationale 2025 (toutes les Caf)",
        lambda: recompute_campaign(year=2025),
    )
    summary(report)


def median_of_3(label, function):
    runs = []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    print(
        f"{label:55} {statistics.median(w for w, _ in runs):7.2f} s "
        f"(médiane de 3 ; CPU {statistics.median(c for _, c in runs):.2f} s ; "
        f"charge {os.getloadavg()[0]:.1f})"
    )
    return result


def payments_export():
    """The large Caf's payments brought to 20 000 (bulk inserts, rolled back), then its CSV and
    XLSX export jobs run as the worker runs them: time, peak memory growth, queries, progress."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The Caf ten times the others (seed_national --large-caf, Nord by default) and its processor.
    processor = StaffProfile.objects.select_related("caf", "user").get(
        role="processor",
        caf__departement=os.environ.get("BENCH_LARGE_CAF", "59"),
        user__email__endswith="@national.clas.fr",
    )
    caf = processor.caf
    with transaction.atomic():
        have = Payment.objects.filter(project__campaign__caf=caf).count()
        model = Payment.objects.filter(project__campaign__caf=caf).select_related("project").first()
        kinds = list(Payment.Kind.values)
        clones = []
        for n in range(-(-(PAYMENTS - have) // len(kinds))):
            clone = copy.copy(model.project)
            clone.pk, clone.title = None, f"Projet de banc {n:05d}"
            clone._state.adding = True
            clones.append(clone)
        projects = Project.objects.bulk_create(clones, batch_size=1000)
        Payment.objects.bulk_create(
            (
                Payment(
                    project=projects[i // len(kinds)],
                    declaration_id=model.declaration_id,
                    computation_id=model.computation_id,
                    kind=kinds[i % len(kinds)],
                    amount=Decimal("1000.00") + i % 997,
                    status="to_pay",
                )
                for i in range(PAYMENTS - have)
            ),
            batch_size=2000,
        )
        total = Payment.objects.filter(project__campaign__caf=caf).count()
        for kind in (ExportJob.Kind.PAYMENTS_CSV, ExportJob.Kind.PAYMENTS_XLSX):
            job = ExportJob.objects.create(caf=caf, kind=kind, created_by=processor.user)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with CaptureQueriesContext(connection) as queries:
                timed(
                    f"export {job.get_kind_display()} de {total} paiements ({caf.name})",
                    lambda job=job: tasks.run_export(job.pk),
                )
            grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
            job.refresh_from_db()
            print(
                f"  {job.rows_done} lignes sur {job.rows_total}, {len(queries)} requêtes, "
                f"fichier {job.file.size // 1024} Kio, pic mémoire +{grown} Mio"
            )
            job.file.delete(save=False)
        transaction.set_rollback(True)


def summary(report):
    unreadable = sum(1 for c in report.differences if c.recomputed is None)
    print(
        f"  {report.checked} calculs retenus, {len(report.differences)} écarts "
        f"({unreadable} cas enregistrés impossibles à recalculer), "
        f"droits enregistrés {report.stored_total} €, recalculés {report.recomputed_total} €"
    )


if __name__ == "__main__":
    main()
