"""Browser journeys in Debian's Chromium, driven by Playwright, against a live test server."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CLAS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "demo-clas-2026"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    # axe-core is injected as a script: the test context bypasses our CSP, the portal keeps it.
    return {
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "bypass_csp": True,
        "viewport": {"width": 1366, "height": 800},
        "accept_downloads": True,
    }


@pytest.fixture
def national_bareme(db):
    """The barème rows of the data migration, loaded again: a transactional test before this
    one flushed them (ask for this fixture before `world`)."""
    from importlib import import_module

    from django.apps import apps

    import_module("funding.migrations.0002_load_national_bareme").load(apps, None)


@pytest.fixture
def demo(transactional_db, settings):
    # A transactional test flushes the tables at its end, the barème rows of the data
    # migration included: load them again as the migration does.
    from importlib import import_module

    from django.apps import apps

    import_module("funding.migrations.0002_load_national_bareme").load(apps, None)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", "--reset", verbosity=0)


@pytest.fixture
def shots():
    folder = Path(os.environ.get("CLAS_SCREENSHOTS_DIR", "/tmp/clas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        check_accessibility(page, name)

    return take


def check_accessibility(page, name):
    """No critical axe-core violation on a journey page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    critical = [v for v in result["violations"] if v["impact"] == "critical"]
    assert not critical, f"{name}: " + "; ".join(
        f"{v['id']} ({len(v['nodes'])}) {v['help']}" for v in critical
    )


def login(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()
