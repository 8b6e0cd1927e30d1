"""Every page of the authorization matrix, opened in Chromium by every role allowed to see it, at
1366 × 900: no English word of the interface, no raw code (`snake_case`) in the visible text, no
table or card content wider than the window. All the findings are reported at once.

The matrix's world has every kind of object but short factory texts; the demo has the long names,
histories and full tables people see: each demo account also follows the portal's own links from
its dashboard (one page per URL name)."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import Error as PlaywrightError

from ..test_authorization_matrix import MATRIX, OK, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.e2e

ROLES = (
    "anonymous",
    "carrier",
    "advisor",
    "processor",
    "committee",
    "caf_admin",
    "national_admin",
    "partner",
)
VIEWPORT = {"width": 1366, "height": 900}
DEMO_ACCOUNTS = {
    "carrier": "porteur@demo.clas.fr",
    "advisor": "ccd@demo.clas.fr",
    "processor": "gc@demo.clas.fr",
    "committee": "comite@demo.clas.fr",
    "caf_admin": "admin@demo.clas.fr",
    "national_admin": "cnaf@demo.clas.fr",
    "partner": "partenaire-cd@demo.clas.fr",
}
PAGES_PER_ACCOUNT = 12
# Files, not pages: not worth making them (a download found elsewhere is skipped as well).
DOWNLOADS = {
    "healthz",
    "projects:receipt",
    "projects:attachment",
    "declarations:document",
    "committee:export_download",
    "declarations:payment_export_download",
    "audit_export_download",
    "declarations:departmental_bilan_pdf",
    "declarations:departmental_bilan_xlsx",
    "commune_import_template",
    "declarations:declaration_pdf",
    "declarations:national_figures_xlsx",
    "projects:convention_pdf",
    "projects:amendment_pdf",
}

# Words of Django's or the browser's English left on a French page (case matters: "None" is
# Python's, "none" would be CSS).
ENGLISH = re.compile(
    r"\b(Submit|Save|Cancel|Delete|Search|Next|Previous|Page not found|Not Found|Forbidden|"
    r"required|This field|No such file|Campaign|None|True|False|Currently|Clear|Choose|Select|"
    r"Upload|Download|Filter|Unknown|Loading|Error|Yes|Back)\b"
)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
# Codes a person may legitimately read (none so far).
SNAKE_ALLOWED: set[str] = set()

# What a person reads: the visible text, plus the texts that the eye or a screen reader meets
# outside it (placeholders, tooltips, accessible names, button values, the title).
INSPECT = """() => {
  const width = window.innerWidth;
  const texts = [document.title, document.body.innerText];
  document.querySelectorAll('[placeholder], [title], [aria-label], input[type=submit], input[type=button]')
    .forEach(el => texts.push(el.getAttribute('placeholder') || '', el.getAttribute('title') || '',
                            el.getAttribute('aria-label') || '',
                            (el.type === 'submit' || el.type === 'button') ? el.value : ''));
  const scrolls = el => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && node.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const describe = el => {
    const caption = el.querySelector('caption, th');
    const heading = el.closest('section, .card, main')?.querySelector('h1, h2, h3');
    return (caption?.innerText || heading?.innerText || el.className || el.tagName).trim().slice(0, 60);
  };
  const wide = [];
  document.querySelectorAll('table').forEach(table => {
    const right = table.getBoundingClientRect().right;
    if (right > width + 1 && !scrolls(table)) wide.push(`tableau « ${describe(table)} » (${Math.round(right)} px)`);
  });
  document.querySelectorAll('.card, .card-body').forEach(card => {
    if (card.scrollWidth > card.clientWidth + 2 && getComputedStyle(card).overflowX === 'visible')
      wide.push(`contenu qui déborde de la carte « ${describe(card)} » (${card.scrollWidth} > ${card.clientWidth} px)`);
  });
  if (document.documentElement.scrollWidth > width + 1)
    wide.push(`page plus large que la fenêtre (${document.documentElement.scrollWidth} px)`);
  // A file's column names, shown as code, are meant to be read as written.
  const code = Array.from(document.querySelectorAll('main code, main kbd, main samp'), el => el.innerText);
  return {text: texts.join('\\n'), code, wide};
}"""


def pages_for(role, kwargs):
    """The GET pages of the matrix that `role` may see, as (name, path)."""
    for name, (method, expected) in MATRIX.items():
        if method == "GET" and expected[role] == OK and name not in DOWNLOADS:
            yield name, reverse(name, kwargs=kwargs.get(name, {}))


def session_cookie(live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": live_server.url}


def findings_on(page, live_server, path):
    """What is wrong on the page at `path`; None when it is a download, not a page."""
    try:
        response = page.goto(f"{live_server.url}{path}", wait_until="domcontentloaded")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None
        raise
    found = []
    if response is None or response.status >= 400:
        found.append(f"réponse {response.status if response else 'absente'}")
    result = page.evaluate(INSPECT)
    for code in result["code"]:
        result["text"] = result["text"].replace(code, " ")
    found += [f"mot anglais « {word} »" for word in sorted(set(ENGLISH.findall(result["text"])))]
    codes = sorted(set(SNAKE.findall(result["text"])) - SNAKE_ALLOWED)
    found += [f"code brut « {code} »" for code in codes]
    return found + result["wide"]


def test_every_page_of_every_role_reads_french_and_fits(
    national_bareme,
    browser,
    live_server,
    world,  # noqa: F811
):
    kwargs, requesters = world
    failures = []
    visited = 0
    for role in ROLES:
        context = browser.new_context(locale="fr-FR", viewport=VIEWPORT, timezone_id="Europe/Paris")
        if role != "anonymous":
            context.add_cookies([session_cookie(live_server, requesters[role])])
        page = context.new_page()
        for name, path in pages_for(role, kwargs):
            findings = findings_on(page, live_server, path)
            if findings is not None:
                visited += 1
                failures += [f"{role} {name} ({path}) : {f}" for f in findings]
        context.close()
    assert visited > 60
    assert not failures, f"{len(failures)} défauts :\n" + "\n".join(failures)


LINKS = """() => Array.from(document.querySelectorAll('main a[href], header a[href]'),
  a => a.getAttribute('href'))"""


def crawl(page, live_server):
    """The pages reached from the dashboard through the portal's links, one per URL name."""
    queue, seen_names, found, visited = ["/"], set(), [], 0
    while queue and visited < PAGES_PER_ACCOUNT:
        path = queue.pop(0)
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        # The support back office (Django's admin, for the national team) is not the portal.
        skip = name in seen_names or name in DOWNLOADS or name == "logout"
        if skip or name.startswith("support:"):
            continue
        seen_names.add(name)
        findings = findings_on(page, live_server, path)
        if findings is None:
            continue
        visited += 1
        found += [f"{name} ({path}) : {f}" for f in findings]
        for href in page.evaluate(LINKS):
            target = urlsplit(urljoin(f"{live_server.url}{path}", href))
            if target.netloc == urlsplit(live_server.url).netloc and not target.fragment:
                queue.append(target.path)
    return visited, found


def test_every_demo_account_follows_its_links(browser, live_server, demo):
    failures = []
    for role, email in DEMO_ACCOUNTS.items():
        context = browser.new_context(locale="fr-FR", viewport=VIEWPORT, timezone_id="Europe/Paris")
        user = get_user_model().objects.get(email=email)
        context.add_cookies([session_cookie(live_server, user)])
        visited, found = crawl(context.new_page(), live_server)
        assert visited > 3, f"{email} : {visited} pages"
        failures += [f"{role} (démo) {f}" for f in found]
        context.close()
    assert not failures, f"{len(failures)} défauts :\n" + "\n".join(failures)
