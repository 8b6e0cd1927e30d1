"""Times of the heavy operations on the national data: the PDF agrément list of a 300-project
session, its XLSX, and the recompute of a whole campaign's stored decisions.

    DATABASE_URL=... .venv/bin/python bench/exports_and_recompute.py
"""

import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from clasportal.models import Caf  # noqa: E402
from committee import exports  # noqa: E402
from committee.models import AgendaItem, CommitteeSession  # noqa: E402
from funding.recompute import recompute_campaign  # noqa: E402
from projects.models import Campaign, Project  # noqa: E402


def timed(label, function):
    start = time.perf_counter()
    result = function()
    print(f"{label:55} {time.perf_counter() - start:7.2f} s")
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
        pdf = timed(
            "PDF de la liste d'agrément (300 projets)", lambda: exports.agrement_pdf(session, rows)
        )
        xlsx = timed(
            "XLSX de la liste d'agrément (300 projets)",
            lambda: exports.agrement_xlsx(session, rows),
        )
        print(f"  PDF {len(pdf) // 1024} Kio, XLSX {len(xlsx) // 1024} Kio, {len(rows)} lignes")
        transaction.set_rollback(True)
    report = timed(
        "recalcul d'une campagne (une Caf, 2025)", lambda: recompute_campaign(year=2025, caf=caf)
    )
    summary(report)
    report = timed(
        "recalcul de la campagne nationale 2025 (toutes les Caf)",
        lambda: recompute_campaign(year=2025),
    )
    summary(report)


def summary(report):
    unreadable = sum(1 for c in report.differences if c.recomputed is None)
    print(
        f"  {report.checked} calculs retenus, {len(report.differences)} écarts "
        f"({unreadable} cas enregistrés impossibles à recalculer), "
        f"droits enregistrés {report.stored_total} €, recalculés {report.recomputed_total} €"
    )


if __name__ == "__main__":
    main()
