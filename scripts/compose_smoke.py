"""scripts/compose-smoke.sh: the compose shape answers as people use it, through the proxy only.

Runs on the host with Python's standard library alone, against the trial of
scripts/compose-offline.sh (docker-compose.trial.yml: TLS by nginx on HTTPS_PORT, an SMTP sink).
One line per check, "ok" or "ÉCHEC"; the exit status is the number of failures. Checks: every
container healthy (web replicas counted, and seen by the proxy), /healthz, HTTP sent to HTTPS,
static files from nginx, the body cap (413 in French), logging in with a demo account (secure
cookie, HSTS), a few pages for two roles, the agrément PDF exported by the Celery worker, and an
e-mail (password reset) sent by the worker to the SMTP sink. With --faults: one web replica
stopped (the others serve, none waits), then PostgreSQL restarted (pages answer again without
restarting the replicas)."""

import ast
import email
import http.cookiejar
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.header import decode_header, make_header
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAL = ROOT / "deploy" / "trial"
PROJECT = os.environ.get("COMPOSE_PROJECT_NAME", "clas")
PASSWORD = "demo-clas-2026"
CAF_ADMIN = "admin@demo.clas.fr"
CARRIER = "porteur@demo.clas.fr"
# Password resets are limited to 3 an hour per address (10 per client): each run, within the
# hour, asks for the next account's.
RESET_ACCOUNTS = [
    f"{name}@demo.clas.fr"
    for name in ("porteur", "porteur2", "porteur-vosges", "ccd", "ccd-vosges", "comite", "gc")
]


def trial_env():
    values = {}
    for line in (TRIAL / "compose.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


ENV = trial_env()
HTTP = f"http://localhost:{ENV.get('HTTP_PORT', '8080')}"
HTTPS = f"https://localhost:{ENV.get('HTTPS_PORT', '8443')}"
# The trial's self-signed certificate is the one trusted authority: the TLS check is real.
TLS = ssl.create_default_context(cafile=str(TRIAL / "tls" / "cert.pem"))
failures = 0


def report(ok, what, detail=""):
    global failures
    failures += 0 if ok else 1
    print(f"{'ok   ' if ok else 'ÉCHEC'} {what}{' : ' + detail if detail else ''}", flush=True)


def check(what):
    """Decorator: the function returns (ok, detail); an exception is a failure with its text."""

    def run(function):
        try:
            ok, detail = function()
        except Exception as error:  # noqa: BLE001 - every failure is one reported line
            ok, detail = False, f"{type(error).__name__}: {error}"
        report(ok, what, detail)
        return ok

    return run


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person's session over HTTPS: cookies, the CSRF token and Referer on every form post."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=TLS),
            urllib.request.HTTPCookieProcessor(self.cookies),
        )

    def cookie(self, name):
        return next((c for c in self.cookies if c.name == name), None)

    def open(self, path, data=None, headers=None, timeout=60):
        url = path if path.startswith("http") else HTTPS + path
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - https://localhost only
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error
        response.body = response.read()
        response.text = response.body.decode("utf-8", "replace")
        return response

    def get(self, path, **kwargs):
        return self.open(path, **kwargs)

    def post(self, path, fields, **kwargs):
        fields = {**fields, "csrfmiddlewaretoken": self.cookie("csrftoken").value}
        data = urllib.parse.urlencode(fields).encode()
        headers = {"Referer": HTTPS + path, "Content-Type": "application/x-www-form-urlencoded"}
        response = self.open(path, data=data, headers=headers, **kwargs)
        if "confirm" not in fields and 'name="confirm" value="1"' in response.text:
            # A confirmation step: the person confirms.
            return self.post(path, {**fields, "confirm": "1"}, **kwargs)
        return response

    def login(self, email):
        self.get("/connexion/")
        page = self.post("/connexion/", {"username": email, "password": PASSWORD})
        if page.status != 200 or "/connexion/" in page.url:
            raise AssertionError(f"connexion refusée ({page.status} {page.url})")
        return page


def containers():
    out = subprocess.run(
        ["docker", "ps", "-a", "--filter", f"label=com.docker.compose.project={PROJECT}",
         "--format", '{{.Label "com.docker.compose.service"}}\t{{.Names}}\t{{.Status}}'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    by_service = {}
    for service, name, status in rows:
        by_service.setdefault(service, []).append((name, status))
    return by_service


def sink_messages(log):
    """The e-mails printed by the SMTP sink (Python's smtpd DebuggingServer: one repr of bytes
    per line between two markers), as email.message objects."""
    for block in re.findall(r"MESSAGE FOLLOWS -+\n(.*?)\n-+ END MESSAGE", log, re.S):
        lines = [ast.literal_eval(line) for line in block.splitlines() if line.startswith("b")]
        yield email.message_from_bytes(b"\n".join(lines))


def title(page):
    match = re.search(r"<title>\s*(.*?)\s*</title>", page.text, re.S)
    return re.sub(r"\s+", " ", match.group(1)) if match else "?"


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout


def wait_healthy(container, timeout=120):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if docker("inspect", "-f", "{{.State.Health.Status}}", container).strip() == "healthy":
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"{container} pas sain en {timeout} s")


def timed_pages(browser, path, count):
    """(status codes, slowest in seconds) of `count` GETs through the proxy."""
    codes, slowest = [], 0.0
    for _ in range(count):
        started = time.monotonic()
        codes.append(browser.get(path).status)
        slowest = max(slowest, time.monotonic() - started)
    return codes, slowest


def faults(services, browser):
    """--faults: a web replica stops, then PostgreSQL restarts; the pages keep answering."""
    replica = services["web"][1][0]

    @check(f"FAULT réplique {replica} arrêtée : les autres servent, sans attente")
    def _():
        docker("stop", replica)
        try:
            codes, slowest = timed_pages(browser, "/projets/", 20)
        finally:
            docker("start", replica)
        back = wait_healthy(replica)
        ok = codes == [200] * 20 and slowest < 5
        return ok, (
            f"{codes.count(200)}/20 pages servies, la plus lente en {slowest:.1f} s ; "
            f"réplique relancée, saine en {back:.0f} s"
        )

    database = services["db"][0][0]

    @check("FAULT PostgreSQL redémarré : pages servies sans relancer les répliques")
    def _():
        docker("restart", database)
        wait_healthy(database)
        codes, slowest = timed_pages(browser, "/projets/", 12)
        ok = codes == [200] * 12
        return ok, f"{codes.count(200)}/12 pages servies (connexions persistantes vérifiées)"


def main():
    # Just after an "up -d": the first health checks run 30 s after the start.
    started = time.monotonic()
    services = containers()
    while time.monotonic() - started < 90 and any(
        "health: starting" in status for found in services.values() for _, status in found
    ):
        time.sleep(2)
        services = containers()
    replicas = int(ENV.get("WEB_REPLICAS", "3"))
    for service in ("db", "redis", "web", "worker", "beat", "proxy", "mail", "migrate"):
        found = services.get(service, [])
        if service == "migrate":
            # One-shot: migrations and static files, then exits 0 (seed runs leave no container).
            ok = any(status.startswith("Exited (0)") for _, status in found)
        elif service in ("beat", "mail"):
            ok = bool(found) and all(status.startswith("Up") for _, status in found)
        else:
            ok = bool(found) and all("(healthy)" in status for _, status in found)
        if service == "web":
            ok = ok and len(found) == replicas
        states = ", ".join(sorted({status for _, status in found})) or "absent"
        report(ok, f"conteneur {service} ×{len(found)}", states)

    @check(f"le proxy répartit entre les {replicas} répliques web")
    def _():
        proxy = services["proxy"][0][0]
        out = subprocess.run(
            ["docker", "exec", proxy, "getent", "ahostsv4", "web"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        addresses = sorted({line.split()[0] for line in out.splitlines()})
        return len(addresses) == replicas, f"« web » → {', '.join(addresses)}"

    @check(f"GET {HTTP}/healthz (proxy, HTTP)")
    def _():
        with urllib.request.urlopen(HTTP + "/healthz", timeout=10) as response:  # noqa: S310
            return response.status == 200, f"{response.status} {json.loads(response.read())}"

    @check("HTTP renvoyé vers HTTPS")
    def _():
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(HTTP + "/connexion/", timeout=10)
            return False, "pas de redirection"
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "")
            return error.code == 301 and location.startswith(
                "https://"
            ), f"{error.code} → {location}"

    browser = Browser()
    login_page = browser.get("/connexion/")

    @check("fichiers statiques servis par nginx (cache d'un an)")
    def _():
        path = re.search(r'href="(/static/[^"]+\.css)"', login_page.text).group(1)
        response = browser.get(path)
        cache = ", ".join(response.headers.get_all("Cache-Control") or [])
        ok = response.status == 200 and "immutable" in cache and response.headers.get("Expires")
        return bool(ok), f"{path} {response.status}, Cache-Control: {cache}"

    @check("corps de 12 Mo refusé par nginx (413 en français)")
    def _():
        response = browser.open(
            "/connexion/",
            data=b"x" * (12 * 1024 * 1024),
            headers={"Content-Type": "application/octet-stream"},
        )
        ok = response.status == 413 and "Envoi trop volumineux" in response.text
        return ok, f"{response.status} « {title(response)} »"

    @check(f"connexion HTTPS de {CAF_ADMIN}")
    def _():
        page = browser.login(CAF_ADMIN)
        session = browser.cookie("sessionid")
        hsts = page.headers.get("Strict-Transport-Security", "")
        ok = session is not None and session.secure and "max-age" in hsts
        return ok, f"{page.status} « {title(page)} », cookie de session Secure, HSTS {hsts}"

    sessions = browser.get("/comite/comites/")
    for path in ("/", "/projets/", "/comite/comites/", "/comite/instruction/", "/journal/"):

        @check(f"page {path} ({CAF_ADMIN})")
        def _(path=path):
            started = time.monotonic()
            page = browser.get(path)
            elapsed = (time.monotonic() - started) * 1000
            return page.status == 200, f"{page.status} « {title(page)} » en {elapsed:.0f} ms"

    @check("export de la liste d'agrément (PDF) par le worker Celery")
    def _():
        session_id = re.search(r'href="/comite/comites/(\d+)/"', sessions.text).group(1)
        started = time.monotonic()
        page = browser.post(f"/comite/comites/{session_id}/exports/", {"kind": "agrement_pdf"})
        match = re.search(rf"/comite/comites/{session_id}/exports/(\d+)/", page.url)
        if not match:
            return False, f"pas de page de suivi ({page.status} {page.url})"
        status_url = match.group(0)
        while time.monotonic() - started < 180:
            fragment = browser.get(status_url, headers={"HX-Request": "true"})
            if "L'export est prêt" in fragment.text:
                break
            if "L'export a échoué" in fragment.text:
                return False, re.sub(r"<[^>]+>|\s+", " ", fragment.text).strip()[:200]
            time.sleep(1)
        else:
            return False, "pas prêt en 180 s"
        download = browser.get(status_url + "fichier/")
        ok = download.status == 200 and download.body.startswith(b"%PDF")
        size = f"{len(download.body):,}".replace(",", " ")
        elapsed = time.monotonic() - started
        job = match.group(1)
        return (
            ok,
            f"comité {session_id}, export {job} prêt en {elapsed:.1f} s, PDF de {size} octets",
        )

    carrier = Browser()

    @check(f"connexion et tableau de bord de {CARRIER}")
    def _():
        carrier.login(CARRIER)
        page = carrier.get("/")
        return page.status == 200, f"{page.status} « {title(page)} »"

    @check("e-mail envoyé par le worker au serveur SMTP (mot de passe oublié)")
    def _():
        recipient = RESET_ACCOUNTS[int(time.time()) // 60 % len(RESET_ACCOUNTS)]
        visitor = Browser()
        visitor.get("/mot-de-passe/oublie/")
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        page = visitor.post("/mot-de-passe/oublie/", {"email": recipient})
        if page.status == 429:
            return False, f"429 : limite du portail atteinte pour {recipient} ou cette adresse IP"
        if page.status != 200:
            return False, f"{page.status} {page.url}"
        mail = services["mail"][0][0]
        started = time.monotonic()
        while time.monotonic() - started < 90:
            log = subprocess.run(
                ["docker", "logs", "--since", since, mail],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            for message in sink_messages(log.stdout + log.stderr):
                if recipient in message.get("To", ""):
                    subject = str(make_header(decode_header(message["Subject"])))
                    return (
                        True,
                        f"à {recipient}, reçu en {time.monotonic() - started:.1f} s : « {subject} »",
                    )
            time.sleep(1)
        return False, "rien reçu en 90 s"

    if "--faults" in sys.argv:
        faults(services, browser)
    print(f"{failures} échec(s)" if failures else "tout répond", flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main())
