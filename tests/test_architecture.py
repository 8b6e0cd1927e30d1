"""The structure the README promises, checked on the source itself: who may do what is decided
in clasportal/rules.py only, and what a person sees only through `visible_to`."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("clasportal", "projects", "funding", "committee", "declarations")
# Where roles are defined and decided (rules), and where people are created (seeds, models).
ROLE_HOMES = {"clasportal/rules.py", "clasportal/roles.py", "clasportal/models.py"}

ROLE_COMPARISON = re.compile(
    r"\.role\s*(==|!=|\bin\b|\bnot in\b)"
    r"|\brole\s*(==|!=)\s*"
    r"|\[\s*user\.role\s*\]"
    r"|['\"](carrier|advisor|processor|committee|caf_admin|national_admin)['\"]\s*(==|!=)"
    r"|(==|!=)\s*['\"](carrier|advisor|processor|committee|caf_admin|national_admin)['\"]"
    r"|current_role"
)
# A filter on a Caf inside a query: scoping belongs to visible_to (rules.visible_q).
CAF_FILTER = re.compile(
    r"\.(filter|exclude|get|get_or_create)\([^)]*\b(caf|caf_id|\w+__caf|\w+__caf_id)\s*="
    r"|get_object_or_404\([^)]*\b(caf|caf_id|\w+__caf|\w+__caf_id)\s*="
)


def sources(pattern="*.py"):
    for app in APPS:
        for path in (ROOT / app).rglob(pattern):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/management/" in relative:
                continue
            yield relative, path.read_text(encoding="utf-8")


def offending(regex, files, allowed=()):
    found = []
    for relative, text in files:
        if relative in allowed:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if regex.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_role_comparison_outside_the_rules():
    templates = [
        (p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))
        for p in (ROOT / "templates").rglob("*.html")
    ]
    found = offending(ROLE_COMPARISON, list(sources()) + templates, ROLE_HOMES)
    assert not found, "Décision de rôle hors de clasportal/rules.py :\n" + "\n".join(found)


def test_no_caf_filter_outside_visible_to():
    found = offending(CAF_FILTER, sources(), {"clasportal/rules.py"})
    assert not found, "Filtre par Caf hors de visible_to :\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        'if request.user.role == "advisor":',
        "if user.role in STAFF_ROLES:",
        "}[user.role]",
        "Payment.objects.filter(project__campaign__caf=request.user.caf)",
        "get_object_or_404(Campaign, pk=pk, caf=caf)",
        "DocumentType.objects.filter(caf_id=project.campaign.caf_id)",
    ],
)
def test_the_guards_catch_what_they_forbid(line):
    assert ROLE_COMPARISON.search(line) or CAF_FILTER.search(line)
