"""p50/p95 per page for the three roles' usual paths, N concurrent users, against a running
server (gunicorn + PostgreSQL with the national data). Loopback only; bounded in time.

    .venv/bin/python bench/http_load.py --base http://127.0.0.1:8001 --users 20 --seconds 60
"""

import argparse
import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict

PASSWORD = "demo-clas-2026"


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")

    def login(self, email):
        _, html = self.get("/connexion/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/connexion/", data=data, headers={"Referer": self.base + "/connexion/"}
        )
        with self.opener.open(request, timeout=30) as response:
            response.read()


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


def paths_for(role, session):
    if role == "carrier":
        _, html = session.get("/projets/")
        projects = links(html, r'href="(/projets/\d+/)"')[:5]
        return {
            "tableau de bord": ["/"],
            "liste des projets": ["/projets/"],
            "fiche projet": projects or ["/projets/"],
            "simulateur": ["/financement/simulateur/"],
        }
    if role == "advisor":
        _, html = session.get("/comite/instruction/")
        reviews = links(html, r'href="(/comite/instruction/\d+/)"')[:5]
        return {
            "tableau de bord": ["/"],
            "file d'instruction": ["/comite/instruction/", "/comite/instruction/?page=2"],
            "page d'instruction": reviews or ["/"],
            "liste des projets": ["/projets/"],
        }
    _, html = session.get("/comite/comites/")
    sessions = links(html, r'href="(/comite/comites/\d+/)"')[:3]
    return {
        "tableau de bord": ["/"],
        "comités": ["/comite/comites/"],
        "séance du comité": sessions or ["/"],
        "chiffres": ["/comite/chiffres/"],
        "déclarations": ["/declarations/traitement/"],
        "paiements": ["/declarations/paiements/"],
    }


def worker(base, email, role, deadline, samples, lock, errors, think):
    session = Session(base)
    session.login(email)
    plan = paths_for(role, session)
    index = 0
    while time.monotonic() < deadline:
        for name, paths in plan.items():
            path = paths[index % len(paths)]
            start = time.perf_counter()
            try:
                status, _ = session.get(path)
            except Exception as exc:  # counted, reported, never hidden
                with lock:
                    errors[name] += 1
                    errors[f"{name}: {exc.__class__.__name__}"] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                samples[name].append(elapsed)
                if status != 200:
                    errors[name] += 1
            if think:
                time.sleep(random.uniform(*think))  # a person reads the page before clicking
        index += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8001")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=None,
        metavar=("MIN", "MAX"),
        help="pause between two pages, in seconds (none: saturation test)",
    )
    args = parser.parse_args()
    assert urllib.parse.urlparse(args.base).hostname in ("127.0.0.1", "localhost")
    accounts = []
    for n in range(args.users):
        caf = 100 + n % 100
        role = ("carrier", "advisor", "committee")[n % 3]
        email = {
            "advisor": f"advisor-{caf}@national.clas.fr",
            "committee": f"committee-{caf}@national.clas.fr",
        }.get(role)
        accounts.append((email, role, caf))
    samples, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
    deadline = time.monotonic() + args.seconds
    threads = []
    for email, role, caf in accounts:
        if role == "carrier":
            email = CARRIER_EMAILS[caf % len(CARRIER_EMAILS)]
        thread = threading.Thread(
            target=worker,
            daemon=True,
            args=(args.base, email, role, deadline, samples, lock, errors, args.think),
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=args.seconds + 60)
    pause = f", pause {args.think[0]:g}–{args.think[1]:g} s" if args.think else ", sans pause"
    print(f"{args.users} utilisateurs simultanés, {args.seconds} s{pause}")
    print(f"{'page':28} {'requêtes':>9} {'p50 ms':>8} {'p95 ms':>8} {'erreurs':>8}")
    for name in sorted(samples):
        values = sorted(samples[name])
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{name:28} {len(values):9d} {statistics.median(values):8.0f} {p95:8.0f} "
            f"{errors.get(name, 0):8d}"
        )
    total = sum(len(v) for v in samples.values())
    print(f"total : {total} requêtes, {total / args.seconds:.0f} par seconde")


CARRIER_EMAILS = []

if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.dev")
    import django

    django.setup()
    from projects.models import CarrierMembership

    CARRIER_EMAILS.extend(
        CarrierMembership.objects.filter(user__email__endswith="@national.clas.fr").values_list(
            "user__email", flat=True
        )[:100]
    )
    main()
