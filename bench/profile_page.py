"""Where one page's server CPU goes, in process, with the bench settings (production minus HTTPS).

    DATABASE_URL=postgres://…/clas REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/profile_page.py advisor-59@national.clas.fr /projets/ [--profile]

Logs the person in (force_login), warms the page up, then prints the median CPU of 20 gets, the
floor page's the same way and the ratio; ``--profile`` adds the 45 costliest functions (cumulative,
CPU time; ``TIMER=wall`` counts the waits too, ``SORT=tottime``, ``TOP=n``, ``DUMP=file``).
Reads a database seeded by ``seed_national`` (bench/compare.py loads it).
"""

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.bench")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:2")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp())
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp())

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

# Hashed static names need a manifest: collected once into a temporary root.
call_command("collectstatic", "--noinput", "-v0")


def cpu_ms(client, path, runs):
    times = []
    for _ in range(runs):
        start = time.process_time()
        response = client.get(path)
        times.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def main():
    email, path = sys.argv[1], sys.argv[2]
    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    for _ in range(3):
        client.get(path)
        client.get("/bench/plancher/")
    page = cpu_ms(client, path, 20)
    floor = cpu_ms(client, "/bench/plancher/", 20)
    settings.DEBUG = True
    reset_queries()
    client.get(path)
    queries = len(connection.queries)
    settings.DEBUG = False
    if "--sql" in sys.argv:
        for q in sorted(connection.queries, key=lambda q: -float(q["time"]))[
            : int(os.environ.get("NSQL", "8"))
        ]:
            print(
                f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][: int(os.environ.get('SQLW', '300'))]}"
            )
            if "--explain" in sys.argv and q["sql"].startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + q["sql"])
                    print("     ", " / ".join(r[0].strip() for r in cursor.fetchall()[-2:]))
    print(
        f"{path}: {page:.1f} ms CPU, floor {floor:.1f} ms, × {page / floor:.2f}, {queries} queries"
    )
    if "--profile" in sys.argv:
        # CPU time by default, as the page figures: waiting for PostgreSQL is not this process's.
        timer = time.perf_counter if os.environ.get("TIMER") == "wall" else time.process_time
        profiler = cProfile.Profile(timer)
        profiler.enable()
        for _ in range(10):
            client.get(path)
        profiler.disable()
        if os.environ.get("DUMP"):
            profiler.dump_stats(os.environ["DUMP"])
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
            int(os.environ.get("TOP", "45"))
        )


if __name__ == "__main__":
    main()
