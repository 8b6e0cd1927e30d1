"""The measures of bench/compare.py: server CPU per request with one user, and the loaded
phases (20 users without pause, with pauses, the floor page alone), PostgreSQL's CPU included."""

import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from compare_report import FLOOR


def log(message):
    now = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[bench {now} UTC] {message}", file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.cpu = defaultdict(list)  # page -> server CPU ms, single user
        self.sql = defaultdict(list)
        self.sat = defaultdict(list)  # page -> wall ms at 20 users without pause
        self.sat_cpu = defaultdict(list)
        self.think = defaultdict(list)  # page -> wall ms at 20 users with pauses
        self.errors = defaultdict(int)
        self.sat_rate = []  # pages per second at saturation, mixed pages
        self.sat_db_cpu = []  # PostgreSQL CPU ms per page at saturation (its backends, /proc)
        self.floor_rate = []  # pages per second at saturation, floor page only


def single_user(crowds, results, repeats):
    """Server CPU per request: one request at a time, each page ``repeats`` times, the two
    servers in turn request by request (paired: a burst of other work hits both alike)."""
    seen = set()
    for index, person in enumerate(crowds[0]):
        for name in person["plan"]:
            if name in seen:
                continue
            seen.add(name)
            for n in range(repeats):
                for side in (0, 1) if n % 2 == 0 else (1, 0):
                    who = crowds[side][index]
                    paths = who["plan"][name]
                    status, _, t = who["session"].get(paths[n % len(paths)])
                    if status != 200:
                        results[side].errors[name] += 1
                        continue
                    results[side].cpu[name].append(t["cpu"])
                    results[side].sql[name].append(t["sql"])


def load(people, seconds, think, samples, results, cpu=None, only=None):
    """Every person browses their plan in a loop until the deadline; returns pages per second."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    count = [0]

    def browse(person, offset):
        plan = list(person.get("journey", person["plan"]).items())
        if only:
            plan = [(only, person["plan"][only])]
        index = offset
        while time.monotonic() < deadline:
            name, paths = plan[index % len(plan)]
            path = paths[(index // len(plan)) % len(paths)]
            start = time.perf_counter()
            try:
                status, _, t = person["session"].get(path)
            except Exception as exc:  # counted and reported, never hidden
                with lock:
                    results.errors[f"{name}: {exc.__class__.__name__}"] += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if time.monotonic() > deadline:
                break  # finished after the window: not counted
            with lock:
                count[0] += 1
                samples[name].append(elapsed)
                if cpu is not None and "cpu" in t:
                    cpu[name].append(t["cpu"])
                if status != 200:
                    results.errors[name] += 1
            index += 1
            if think:
                time.sleep(random.uniform(*think))  # a person reads the page

    started = time.monotonic()
    threads = [
        threading.Thread(target=browse, args=(p, i), daemon=True) for i, p in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return count[0] / (time.monotonic() - started)


TICKS = os.sysconf("SC_CLK_TCK")


def backends_cpu(database_url):
    """{pid: CPU seconds so far} of the PostgreSQL backends connected to the bench's database
    (the servers' persistent connections): read in /proc, PostgreSQL runs on this machine."""
    import psycopg2

    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone, or not readable here
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def measure(server, people, results, settings):
    log(f"{server.label} : 20 utilisateurs sans pause, {settings.saturation} s")
    database_url = os.environ["DATABASE_URL"]
    before = backends_cpu(database_url)
    pages = sum(len(v) for v in results.sat.values())
    rate = load(people, settings.saturation, None, results.sat, results, cpu=results.sat_cpu)
    after = backends_cpu(database_url)
    pages = sum(len(v) for v in results.sat.values()) - pages
    if pages and after:
        spent = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
        results.sat_db_cpu.append(spent / pages * 1000)
    results.sat_rate.append(rate)
    log(f"{server.label} : page plancher seule sans pause, {settings.floor} s")
    floor_only = defaultdict(list)
    results.floor_rate.append(load(people, settings.floor, None, floor_only, results, only=FLOOR))
    log(f"{server.label} : 20 utilisateurs avec pauses de 1 à 3 s, {settings.think} s")
    load(people, settings.think, (1.0, 3.0), results.think, results)
