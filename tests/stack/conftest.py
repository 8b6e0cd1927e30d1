"""The real stack, started from the project's own pieces, for tests/stack (make stack-test).

PostgreSQL comes from scripts/with-postgres.sh (DATABASE_URL, CLAS_TEST_PGDIR). Here: Redis with
an append-only file (a stopped broker keeps its queues), moto's S3 server, an aiosmtpd sink that
writes each message to a Maildir, migrate + collectstatic + seed_demo, gunicorn with the production
settings (clasportal.settings.stack: production minus HTTPS), a Celery worker and beat. Each
process logs to a file in the stack's directory; the last lines of every log are printed when a
test fails. Everything is stopped at the end, whatever happened."""

import email
import email.policy
import mailbox
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "demo-clas-2026"  # noqa: S105


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - the service is not up yet
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"délai dépassé : {what}")


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log(line):
    """One line per step or fault, in the test's output."""
    print(f"[stack {time.strftime('%H:%M:%S')}] {line}", flush=True)


class Stack:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="clas-stack-"))
        self.processes = {}
        self.ports = {name: free_port() for name in ("redis", "s3", "smtp", "web")}
        self.maildir = self.dir / "maildir"
        self.pause_file = self.dir / "pause-exports"
        self.bucket = "clas-stack"
        self.base_url = f"http://127.0.0.1:{self.ports['web']}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clasportal.settings.stack",
            "SECRET_KEY": "stack-test-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.ports['smtp']}",
            "CLAS_S3_BUCKET": self.bucket,
            "CLAS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "CLAS_S3_REGION": "us-east-1",
            "CLAS_S3_ACCESS_KEY_ID": "stack",
            "CLAS_S3_SECRET_ACCESS_KEY": "stack-secret",
            "CLAS_S3_ADDRESSING_STYLE": "path",
            "CLAS_S3_CONNECT_TIMEOUT": "1",
            "CLAS_S3_READ_TIMEOUT": "5",
            "CLAS_S3_MAX_ATTEMPTS": "1",
            "CLAS_BASE_URL": self.base_url,
            "STATIC_ROOT": str(self.dir / "static"),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # A task left unacknowledged by a killed worker comes back after 10 s (1 h in
            # production), and the beat sends again what the broker missed every 3 s.
            "CELERY_VISIBILITY_TIMEOUT": "10",
            "CELERY_UNACKED_RESTORE_INTERVAL": "2",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "CLAS_REQUEUE_EVERY_SECONDS": "3",
            "CLAS_REQUEUE_AFTER_SECONDS": "3",
            "CLAS_TRUSTED_PROXY_COUNT": "0",
            "CLAS_STACK_PAUSE_FILE": str(self.pause_file),
            "PYTHONPATH": str(ROOT),
            "AWS_EC2_METADATA_DISABLED": "true",
            "MOTO_ALLOW_NONEXISTENT_REGION": "true",
        }

    # -- processes -------------------------------------------------------------------------
    def start(self, name, args, *, ready=None, timeout=30):
        logfile = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - closed at stop
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches its children
        )
        self.processes[name] = (process, logfile)
        if ready is not None:
            wait_for(
                lambda: process.poll() is None and ready(),
                timeout=timeout,
                what=f"démarrage de {name}",
            )
            if process.poll() is not None:
                raise AssertionError(f"{name} s'est arrêté : {self.tail(name)}")
        return process

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        process, logfile = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        logfile.close()

    def tail(self, name, lines=25):
        path = self.dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def manage(self, *args, timeout=300, settings=None):
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings} if settings else self.env
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} : {result.stderr[-3000:]}")
        return result.stdout

    # -- services --------------------------------------------------------------------------
    def start_redis(self):
        (self.dir / "redis").mkdir(exist_ok=True)
        port = self.ports["redis"]
        self.start(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(self.dir / "redis"),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--daemonize",
                "no",
            ],
            ready=lambda: port_open(port),
        )

    def start_s3(self):
        port = self.ports["s3"]
        self.start(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            ready=lambda: port_open(port),
        )

    def start_smtp(self):
        port = self.ports["smtp"]
        self.start(
            "smtp",
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{port}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.maildir),
            ],
            ready=lambda: port_open(port),
        )

    def start_web(self):
        port = self.ports["web"]
        self.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "clasportal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            # Up when a page answers: the first requests load Django in each worker.
            ready=lambda: port_open(port) and self.healthy(),
            timeout=180,
        )

    def healthy(self):
        import requests

        return requests.get(self.base_url + "/healthz", timeout=30).status_code == 200

    def start_worker(self):
        self.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "clasportal",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--include=tests.stack.faults",
                "--hostname",
                f"stack-{time.monotonic_ns()}@%h",
            ],
        )

    def start_beat(self):
        self.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "clasportal",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.dir / 'beat-schedule'}",
            ],
        )

    def restart_postgres(self):
        pgdir, pg_bin = os.environ["CLAS_TEST_PGDIR"], os.environ["CLAS_TEST_PG_BIN"]
        command = f"{pg_bin}/pg_ctl -D {pgdir}/data -l {pgdir}/log -m fast -w restart"
        if os.getuid() == 0:
            args = ["su", "postgres", "-s", "/bin/bash", "-c", command]
        else:
            args = ["bash", "-c", command]
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["CLAS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="stack",
            aws_secret_access_key="stack-secret",  # noqa: S106
        )

    def s3_keys(self, prefix=""):
        listing = self.s3().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    # -- what the test reads ---------------------------------------------------------------
    def sql(self, query, *params):
        import psycopg2

        with psycopg2.connect(os.environ["DATABASE_URL"]) as connection:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                rows = cursor.fetchall() if cursor.description else []
        connection.close()
        return rows

    def mails(self):
        """Every message the SMTP sink received: (subject, recipients, attachment names)."""
        if not self.maildir.exists():
            return []
        found = []
        for message in mailbox.Maildir(self.maildir, create=False):
            parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
            names = [part.get_filename() for part in parsed.iter_attachments()]
            recipients = sorted(
                address.strip().lower()
                for address in re.split(r",", str(parsed.get("To", "")))
                if address.strip()
            )
            found.append((str(parsed["Subject"]), tuple(recipients), tuple(names)))
        return found

    def close(self):
        for name in list(self.processes):
            self.stop(name, sig=signal.SIGKILL if name == "worker" else signal.SIGTERM)
        if os.environ.get("CLAS_STACK_KEEP"):
            print(f"stack directory kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def stack():
    if "CLAS_TEST_PGDIR" not in os.environ:
        pytest.fail("make stack-test starts PostgreSQL (scripts/stack-test.sh)")
    started = time.monotonic()
    stack = Stack()
    try:
        stack.start_redis()
        stack.start_s3()
        stack.s3().create_bucket(Bucket=stack.bucket)
        stack.start_smtp()
        log(
            "redis :{redis}, S3 (moto) :{s3}, SMTP :{smtp} démarrés".format(**stack.ports)
            + f" ; PostgreSQL {os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}"
        )
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        log(f"base migrée, fichiers statiques collectés ({time.monotonic() - started:.0f} s)")
        # seed_demo refuses the production settings: the development ones, on the same
        # PostgreSQL, Redis, S3 and SMTP (they read the same environment).
        stack.manage("seed_demo", settings="clasportal.settings.dev")
        log(
            f"données de démonstration chargées ({len(stack.s3_keys())} fichiers dans S3, "
            f"{time.monotonic() - started:.0f} s)"
        )
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        log(f"gunicorn (2 workers, settings stack) sur {stack.base_url}, worker et beat démarrés")
        log(f"pile prête en {time.monotonic() - started:.0f} s")
        yield stack
    except BaseException:
        for name in ("web", "worker", "beat", "redis", "s3", "smtp"):
            print(f"----- {name}.log -----\n{stack.tail(name)}")
        raise
    finally:
        stack.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "stack" in item.funcargs:
        stack = item.funcargs["stack"]
        for name in ("web", "worker", "beat", "redis", "s3", "smtp"):
            report.sections.append((f"{name}.log", stack.tail(name, 40)))
