"""The Markdown report of bench/compare.py: the two trees side by side, every figure also as a
ratio to the floor page of the same server and as a ratio current/base."""

import statistics

FLOOR = "page plancher"


def median(values):
    return statistics.median(values) if values else float("nan")


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))] if values else float("nan")


def fmt(value, digits=0):
    if value != value:  # NaN
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def ratio(a, b):
    return fmt(a / b, 2) if b and a == a and b == b else "—"


def report(base, head, labels, args):
    b, h = base, head
    pages = sorted(set(b.cpu) | set(h.cpu), key=lambda p: (p == FLOOR, p))
    out = []
    out.append(
        f"Comparaison : **{labels[0]}** (base) et **{labels[1]}** (courant), même machine, "
        f"même base, tours alternés ({args.rounds} tour{'s' if args.rounds > 1 else ''}), "
        f"gunicorn {args.workers} workers, réglages `clasportal.settings.bench`."
    )
    out.append("")
    out.append(
        "**CPU serveur par requête** (un utilisateur, médiane ; × plancher = ratio à la page"
    )
    out.append("plancher du même serveur ; SQL = requêtes par page)")
    out.append("")
    out.append(
        "| page | base ms | × plancher | courant ms | × plancher | courant/base | SQL base → courant |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    fb, fh = median(b.cpu[FLOOR]), median(h.cpu[FLOOR])
    for page in pages:
        cb, ch = median(b.cpu[page]), median(h.cpu[page])
        out.append(
            f"| {page} | {fmt(cb, 1)} | {ratio(cb, fb)} | {fmt(ch, 1)} | {ratio(ch, fh)} | "
            f"{ratio(ch, cb)} | {fmt(median(b.sql[page]))} → {fmt(median(h.sql[page]))} |"
        )
    real = [p for p in pages if p != FLOOR]
    usual = [p for p in real if not p.startswith("séance")]
    for name, pick, among in (
        ("moyenne des pages", statistics.mean, real),
        ("moyenne hors pages de séance", statistics.mean, usual),
        ("page la plus lourde", max, real),
        ("page la plus lourde hors séance", max, usual),
    ):
        cb = pick([median(b.cpu[p]) for p in among if b.cpu[p]])
        ch = pick([median(h.cpu[p]) for p in among if h.cpu[p]])
        out.append(
            f"| **{name}** | {fmt(cb, 1)} | {ratio(cb, fb)} | {fmt(ch, 1)} | {ratio(ch, fh)} | "
            f"{ratio(ch, cb)} | |"
        )
    for title, key in (
        ("**20 utilisateurs sans pause** (temps de réponse, ms)", "sat"),
        ("**20 utilisateurs avec pauses de 1 à 3 s** (temps de réponse, ms)", "think"),
    ):
        sb, sh = getattr(b, key), getattr(h, key)
        out += ["", title, ""]
        out.append(
            "| page | p50 base | p50 courant | p95 base | × plancher | p95 courant | × plancher "
            "| p95 courant/base |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        fb95, fh95 = p95(sb[FLOOR]), p95(sh[FLOOR])
        for page in pages:
            out.append(
                f"| {page} | {fmt(median(sb[page]))} | {fmt(median(sh[page]))} | "
                f"{fmt(p95(sb[page]))} | {ratio(p95(sb[page]), fb95)} | {fmt(p95(sh[page]))} | "
                f"{ratio(p95(sh[page]), fh95)} | {ratio(p95(sh[page]), p95(sb[page]))} |"
            )
    rb, rh = statistics.mean(b.sat_rate), statistics.mean(h.sat_rate)
    flb, flh = statistics.mean(b.floor_rate), statistics.mean(h.floor_rate)
    out += ["", "**Débit à saturation** (20 utilisateurs sans pause, pages par seconde)", ""]
    out.append("| | base | courant | courant/base |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| pages du parcours | {fmt(rb, 1)} | {fmt(rh, 1)} | {ratio(rh, rb)} |")
    out.append(f"| page plancher seule | {fmt(flb, 1)} | {fmt(flh, 1)} | {ratio(flh, flb)} |")
    out.append(f"| parcours ÷ plancher | {ratio(rb, flb)} | {ratio(rh, flh)} | |")
    cpu_b = statistics.mean([v for p in real for v in b.sat_cpu[p]] or [float("nan")])
    cpu_h = statistics.mean([v for p in real for v in h.sat_cpu[p]] or [float("nan")])
    out.append(
        f"| CPU serveur moyen par page du parcours, en charge (ms) | {fmt(cpu_b, 1)} | "
        f"{fmt(cpu_h, 1)} | {ratio(cpu_h, cpu_b)} |"
    )
    db_b = statistics.mean(b.sat_db_cpu) if b.sat_db_cpu else float("nan")
    db_h = statistics.mean(h.sat_db_cpu) if h.sat_db_cpu else float("nan")
    out.append(
        f"| CPU PostgreSQL moyen par page du parcours, en charge (ms) | {fmt(db_b, 1)} | "
        f"{fmt(db_h, 1)} | {ratio(db_h, db_b)} |"
    )
    errors = {f"base — {k}": v for k, v in b.errors.items()}
    errors.update({f"courant — {k}": v for k, v in h.errors.items()})
    out += ["", "Erreurs : " + (", ".join(f"{k} : {v}" for k, v in errors.items()) or "aucune")]
    if getattr(args, "dropped", None):
        out += [
            "",
            "Pages retirées des deux parcours chargés (saturation, pauses) parce qu'un des deux "
            "arbres ne les sert pas : " + ", ".join(args.dropped),
        ]
    return "\n".join(out)
