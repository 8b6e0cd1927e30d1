"""The previous commit and the current checkout, side by side in one run, on the national data.

    make bench-compare BASE=0fc4749            # or QUICK=1
    bash scripts/with-postgres.sh .venv/bin/python bench/compare.py --base 0fc4749 [--quick]
    DATABASE_URL=postgres://…/clas .venv/bin/python bench/compare.py …   # a seeded base, kept

What it does, on this machine only (loopback):
1. migrates the PostgreSQL of DATABASE_URL and loads ``seed_national`` unless already there;
   starts a private Redis (the cache production uses);
2. checks the base commit out in a temporary git worktree (removed at the end) and serves both
   trees with gunicorn and the bench settings (``clasportal.settings.bench``: production minus
   HTTPS, persistent connections, Redis cache; the floor page and the CPU header are copied into
   the base tree when it predates them, so both are measured with the same yardstick);
3. logs 20 people in on each server *before* any measure (a login costs ≈ 0.5 s of CPU);
4. measures in alternated rounds (base, current, then current, base…), one server loaded at a
   time: the server CPU per request of every page (single user, from the ``Server-Timing``
   header), p50/p95 at 20 concurrent users without pause and with 1–3 s pauses, the saturation
   throughput, and the same for the floor page (a minimal logged-in page: one indexed query,
   50 rows, inside base.html). Every figure is also given as a ratio to the floor page of the
   same server in the same phase, and as a ratio current/base: other work on the machine moves
   the absolute figures, much less the ratios.

"Courant" is the working tree as it is (uncommitted changes included: do not edit it while the
bench runs). Full run ≤ 15 minutes, ``--quick`` ≤ 5 (one round, shorter phases), on a machine
that is not saturated by other work. Prints Markdown tables (``--output`` writes them too).
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from compare_measures import Results, log, measure, single_user
from compare_report import FLOOR, report

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-clas-2026"
FLOOR_PATH = "/bench/plancher/"
# The bench's own files: copied into a base tree that predates them (same yardstick for both).
INSTRUMENTS = ("clasportal/bench.py", "clasportal/settings/bench.py", "templates/bench/floor.html")
LARGE = " (Caf ×10)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# HTTP


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        """(status, html, server timing dict)"""
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, body, timing(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, "", timing(error.headers)

    def login(self, email):
        _, html, _ = self.get("/connexion/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/connexion/", data=data, headers={"Referer": self.base + "/connexion/"}
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()
        status, _, _ = self.get(FLOOR_PATH)
        if status != 200:
            raise RuntimeError(f"connexion refusée pour {email} ({status})")


def timing(headers):
    values = {}
    for part in (headers.get("Server-Timing") or "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if dur:
            values[name] = float(dur)
    values["tree"] = headers.get("X-Bench-Tree", "")
    return values


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)), key=lambda p: int(re.sub(r"\D", "", p) or 0))


# ---------------------------------------------------------------------------------------------
# Who browses what


def accounts(users):
    """(email, role, large) for ``users`` people: carriers, advisors, committee members and
    processors of many Caf, with the advisor and the committee member of the large Caf."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from clasportal.models import Caf
    from projects.models import CarrierMembership

    cafs = list(
        Caf.objects.filter(number__gte="100")
        .annotate(n=Count("campaigns__projects"))
        .order_by("-n", "number")
        .values_list("number", flat=True)
    )
    large, others = cafs[0], cafs[1:]
    carriers = list(
        CarrierMembership.objects.filter(user__email__endswith="@national.clas.fr")
        .order_by("pk")
        .values_list("user__email", flat=True)[:200]
    )
    people = [
        (f"advisor-{large}@national.clas.fr", "advisor", True),
        (f"committee-{large}@national.clas.fr", "committee", True),
    ]
    roles = ("carrier", "advisor", "committee", "processor", "carrier")
    n = 0
    while len(people) < users:
        role = roles[n % len(roles)]
        caf = others[(n * 7) % len(others)]
        email = carriers[(n * 13) % len(carriers)] if role == "carrier" else None
        people.append((email or f"{role}-{caf}@national.clas.fr", role, False))
        n += 1
    return people


def plan_for(role, large, session):
    """{page name: [paths]} this person visits in turn, the floor page included."""
    suffix = LARGE if large else ""
    if role == "carrier":
        _, html, _ = session.get("/projets/")
        projects = links(html, r'href="(/projets/\d+/)"')[:5]
        plan = {
            "tableau de bord porteur": ["/"],
            "liste des projets (porteur)": ["/projets/"],
            "fiche projet": projects or ["/projets/"],
            "simulateur": ["/financement/simulateur/"],
        }
    elif role == "advisor":
        _, html, _ = session.get("/comite/instruction/")
        reviews = links(html, r'href="(/comite/instruction/\d+/)"')[:5]
        plan = {
            "tableau de bord conseiller" + suffix: ["/"],
            "file d'instruction" + suffix: ["/comite/instruction/", "/comite/instruction/?page=2"],
            "page d'instruction" + suffix: reviews or ["/comite/instruction/"],
            "liste des projets (conseiller)" + suffix: ["/projets/", "/projets/?page=2"],
        }
    elif role == "committee":
        _, html, _ = session.get("/comite/comites/")
        sessions = links(html, r'href="(/comite/comites/\d+/)"')
        # The open one is the current campaign's: the highest number.
        plan = {
            "comités": ["/comite/comites/"],
            ("séance ouverte, 300 projets" if large else "séance ouverte"): sessions[-1:]
            or ["/comite/comites/"],
            "séance close" + suffix: sessions[:1] or ["/comite/comites/"],
            "chiffres": ["/declarations/chiffres/"],
        }
    else:
        plan = {
            "tableau de bord GC": ["/"],
            "déclarations": ["/declarations/traitement/"],
            "paiements": ["/declarations/paiements/"],
            "chiffres": ["/declarations/chiffres/"],
        }
    plan[FLOOR] = [FLOOR_PATH]
    return plan


# ---------------------------------------------------------------------------------------------
# Servers


class Server:
    def __init__(self, label, tree, env, workers, workdir):
        self.label, self.tree, self.port = label, Path(tree), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        static = Path(workdir) / f"static-{label}"
        self.env = {**env, "STATIC_ROOT": str(static), "PYTHONPATH": str(self.tree)}
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"],
            cwd=self.tree,
            env=self.env,
            check=True,
        )
        self.log = open(Path(workdir) / f"gunicorn-{label}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clasportal.wsgi:application",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{self.port}",
                f"--chdir={self.tree}",
                f"--pythonpath={self.tree}",
                "--timeout=120",
            ],
            cwd=self.tree,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {label} ne démarre pas : voir {self.log.name}")
            time.sleep(0.5)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="commit de base (défaut : HEAD~1)")
    parser.add_argument(
        "--quick", action="store_true", help="≤ 5 minutes : un tour, phases courtes"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--output", help="écrit aussi le tableau Markdown dans ce fichier")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("DATABASE_URL (PostgreSQL) manque : lancez via scripts/with-postgres.sh")
    host = urllib.parse.urlparse(database_url).hostname
    if host not in ("127.0.0.1", "localhost", None, ""):
        sys.exit("Le banc ne tourne que sur une base locale.")
    settings = argparse.Namespace(
        rounds=1 if args.quick else 3,
        repeats=3 if args.quick else 5,
        saturation=12 if args.quick else 20,
        floor=5 if args.quick else 6,
        think=20 if args.quick else 35,
    )
    args.rounds = settings.rounds
    started = time.monotonic()
    base_rev = subprocess.run(
        ["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True
    )
    if base_rev.returncode:
        sys.exit(f"Commit inconnu : {args.base}")
    base_rev = base_rev.stdout.strip()
    head_rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    labels = (base_rev, head_rev + (" + modifications non validées" if dirty else ""))

    workdir = Path(tempfile.mkdtemp(prefix="clas-bench."))
    redis_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clasportal.settings.bench",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_URL": "smtp://127.0.0.1:2",  # production refuses a console backend; no mail here
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVATE_MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    processes, servers, base_tree = [], [], workdir / "base"
    try:
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(redis)
        dev = {**env, "DJANGO_SETTINGS_MODULE": "clasportal.settings.dev", "DEBUG": "false"}
        log("migrations")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=dev,
            check=True,
        )
        loaded = subprocess.run(
            [sys.executable, "manage.py", "seed_national"], cwd=ROOT, env=dev, capture_output=True
        )
        if loaded.returncode and b"d\xc3\xa9j\xc3\xa0 charg\xc3\xa9" not in loaded.stderr:
            sys.exit(loaded.stderr.decode())
        log("jeu national : " + (loaded.stdout.decode().strip() or "déjà chargé"))
        # Statistics as production has them (autovacuum is off in scripts/with-postgres.sh).
        import psycopg2

        analyzed = psycopg2.connect(database_url)
        analyzed.autocommit = True
        with analyzed.cursor() as cursor:
            cursor.execute("ANALYZE")
        analyzed.close()
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(base_tree), base_rev],
            cwd=ROOT,
            check=True,
        )
        for name in INSTRUMENTS:
            if not (base_tree / name).exists():
                (base_tree / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / name, base_tree / name)
        log(f"serveurs : {base_rev} (base) et l'arbre courant")
        servers = [
            Server("base", base_tree, env, args.workers, workdir),
            Server("courant", ROOT, env, args.workers, workdir),
        ]
        people = accounts(args.users)
        crowds = []
        for server in servers:
            log(f"{server.label} : connexion de {len(people)} personnes (hors mesure)")
            crowd = [None] * len(people)

            def arrive(index, email, role, large, server=server, crowd=crowd):
                session = Session(server.base)
                session.login(email)
                plan = plan_for(role, large, session)
                # Warm-up, not measured: each page once (workers' caches, PostgreSQL's).
                failing = set()
                for name, paths in plan.items():
                    if any(session.get(path)[0] != 200 for path in paths):
                        failing.add(name)
                crowd[index] = {"session": session, "plan": plan, "failing": failing}

            threads = [
                threading.Thread(target=arrive, args=(i, *person), daemon=True)
                for i, person in enumerate(people)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            if None in crowd:
                raise RuntimeError(f"{server.label} : une connexion a échoué")
            tree = Path(crowd[0]["session"].get(FLOOR_PATH)[2]["tree"]).resolve()
            if tree != server.tree.resolve():
                raise RuntimeError(f"{server.label} sert {tree}, pas {server.tree}")
            crowds.append(crowd)
        # Like for like: a page one of the two trees cannot serve (a page newer than the base,
        # or the base reading a newer schema) leaves both loaded journeys (it is still measured
        # alone where it answers); the report names it.
        dropped = {name for crowd in crowds for who in crowd for name in who["failing"]}
        dropped.discard(FLOOR)
        for crowd in crowds:
            for who in crowd:
                who["journey"] = {k: v for k, v in who["plan"].items() if k not in dropped}
        if dropped:
            log(
                "pages retirées des deux parcours (erreur d'un côté) : "
                + ", ".join(sorted(dropped))
            )
        args.dropped = sorted(dropped)
        results = (Results(), Results())
        log("CPU par page, un utilisateur, les deux serveurs requête après requête")
        single_user(crowds, results, settings.repeats)
        for n in range(settings.rounds):
            order = (0, 1) if n % 2 == 0 else (1, 0)
            for i in order:
                log(f"tour {n + 1}/{settings.rounds}")
                measure(servers[i], crowds[i], results[i], settings)
        text = report(results[0], results[1], labels, args)
        print(text)
        if args.output:
            Path(args.output).write_text(text + "\n")
        log(f"terminé en {(time.monotonic() - started) / 60:.1f} min")
    finally:
        for server in servers:
            server.stop()
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        if base_tree.exists():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base_tree)],
                cwd=ROOT,
                capture_output=True,
            )
        if not os.environ.get("CLAS_BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"dossier gardé : {workdir}")


if __name__ == "__main__":
    main()
