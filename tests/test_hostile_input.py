"""Random and hostile values posted to every form: a page with errors or a redirect, never a
500, and nothing saved half-way on refusal."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import Project

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "-0,01",
            "1e309",
            "NaN",
            "Infinity",
            "99999999999999999999",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "\u202e\u0000",
            "１２３",
            "12,5,3",
            "2026-02-30",
            "31/12/1899",
            "0x10",
            "😀" * 10,
            "a" * 6000,
        ]
    ),
)

# (url name, fields) for each form a person can post; every field gets a hostile value.
FORMS = [
    (
        "funding:simulator",
        [
            "bareme_year",
            "carrier_kind",
            "collectives",
            "weeks",
            "min_weeks",
            "charge_60",
            "charge_64",
            "charge_861",
            "bonus_children",
            "bonus_children_collectives",
        ],
    ),
    ("projects:step:structure", ["legal_name", "siret", "kind", "email", "phone", "version"]),
    ("projects:step:projet", ["title", "axis_children", "public_levels", "is_qpv", "version"]),
    ("projects:step:budget", ["charge_64", "subsidy_commune", "product_70", "version"]),
    (
        "projects:step:bonus",
        [
            "bonus_children_requested",
            "bonus_children_collectives",
            "bonus_children_equipment_cost",
            "version",
        ],
    ),
    (
        "projects:collective_create",
        [
            "name",
            "commune",
            "planned_children",
            "planned_weeks",
            "weekdays",
            "start_date",
            "session_minutes",
            "intervenants-TOTAL_FORMS",
            "intervenants-0-full_name",
        ],
    ),
    ("projects:create", ["campaign", "situation", "previous", "title"]),
    ("projects:message_post", ["body"]),
    ("projects:carrier_invite", ["email", "first_name"]),
]


# Staff forms: (url name, user attribute, fields).
STAFF_FORMS = [
    ("committee:review_request_changes", "advisor", ["sections", "message"]),
    ("committee:review_propose", "advisor", ["favourable", "collectives", "reason"]),
    ("committee:review_bonus", "advisor", ["which", "granted", "reason"]),
    ("committee:review_note", "processor", ["body", "shared_with_partners"]),
    ("committee:review_other_financer", "advisor", ["financer", "amount", "note"]),
    (
        "committee:scheme_create",
        "caf_admin",
        ["partner", "campaign", "name", "rule", "amount", "minimum", "maximum", "conditions"],
    ),
    ("committee:envelope_set", "caf_admin", ["financer", "amount"]),
    (
        "committee:session_create",
        "caf_admin",
        ["campaign", "date", "place", "members"],
    ),
    (
        "projects:campaign_edit",
        "caf_admin",
        ["form", "opens_on", "closes_on", "carrier", "until", "reason"],
    ),
    ("projects:document_type_add", "caf_admin", ["name", "situations", "is_required", "position"]),
    (
        "funding:policy",
        "caf_admin",
        ["min_weeks", "first_advance_rate", "second_advance_rate", "charges_variation_threshold"],
    ),
]


def url_for(name, world):
    if name.startswith("projects:step:"):
        return reverse("projects:step", args=[world.project.pk, name.rsplit(":", 1)[1]])
    if name in ("projects:collective_create", "projects:message_post"):
        return reverse(name, args=[world.project.pk])
    if name == "projects:carrier_invite":
        return reverse(name, args=[world.carrier.pk])
    if name.startswith("committee:review_"):
        return reverse(name, args=[world.project.pk])
    if name == "projects:campaign_edit":
        return reverse(name, args=[world.project.campaign.pk])
    return reverse(name)


# Django's English defaults, which a French page must never show.
ENGLISH = re.compile(r"\b(Enter a|This field|Select a valid|Ensure this|is required)\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class InvalidFields(HTMLParser):
    """The controls a page marks invalid, and the text of every element that has an id."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.invalid = []  # (control name, ids of the elements that describe it)
        self.text = {}
        self.open = []  # (tag, id) of the elements not closed yet
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        marked = attrs.get("aria-invalid") == "true" or "is-invalid" in (attrs.get("class") or "")
        if tag in ("input", "select", "textarea", "fieldset") and (
            marked or (tag == "fieldset" and attrs.get("aria-describedby"))
        ):
            ids = (attrs.get("aria-describedby") or "").split()
            self.invalid.append((attrs.get("name") or tag, ids))
        if tag not in VOID:
            self.open.append((tag, attrs.get("id")))
            if attrs.get("id"):
                self.text.setdefault(attrs["id"], "")

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self.open:
            if element_id:
                self.text[element_id] += data


def assert_errors_next_to_fields(html, context):
    """Each field marked invalid is described by an error of its own, in French."""
    page = InvalidFields(html)
    assert page.invalid, ("no field is marked in error", context)
    for name, ids in page.invalid:
        messages = [page.text.get(i, "").strip() for i in ids if not i.endswith("_helptext")]
        assert any(messages), (name, ids, context)
        assert not any(ENGLISH.search(m) for m in messages), (name, messages, context)


@pytest.mark.django_db
@pytest.mark.parametrize("name, fields", FORMS, ids=[f[0] for f in FORMS])
def test_hostile_values_never_give_a_500(loire, name, fields):
    client = Client(raise_request_exception=False)
    client.force_login(loire.carrier_user)
    url = url_for(name, loire)

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.fixed_dictionaries({field: HOSTILE for field in fields}))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in (200, 302, 409), (name, data, response.status_code)
        if response.status_code == 200 and name != "funding:simulator":
            assert_errors_next_to_fields(response.content.decode(), (name, data))

    post()
    assert Project.objects.filter(pk=loire.project.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, attr, fields", STAFF_FORMS, ids=[f[0] for f in STAFF_FORMS])
def test_hostile_values_on_staff_forms(loire, name, attr, fields):
    from projects import workflow

    from .request_helpers import make_complete

    make_complete(loire.project)
    workflow.submit(loire.project.pk, by=loire.carrier_user)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(loire, attr))
    url = url_for(name, loire)

    @settings(
        max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.fixed_dictionaries({field: HOSTILE for field in fields}))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in (200, 302), (name, data, response.status_code)

    post()


@pytest.mark.django_db
def test_refused_collective_saves_nothing(client, loire):
    client.force_login(loire.carrier_user)
    before = loire.project.collectives.count()
    response = client.post(
        reverse("projects:collective_create", args=[loire.project.pk]),
        {
            "name": "<script>x</script>",
            "planned_children": "-4",
            "intervenants-TOTAL_FORMS": "1",
            "intervenants-INITIAL_FORMS": "0",
            "intervenants-0-full_name": "Inès",
        },
    )
    assert response.status_code == 200
    assert loire.project.collectives.count() == before
    assert "&lt;script&gt;x&lt;/script&gt;" in response.content.decode()


@pytest.mark.django_db
def test_hostile_values_on_the_declaration_form(loire):
    from declarations import services

    from .declaration_helpers import approve

    project = approve(loire)
    declaration = services.open_declaration(project, "forecast", by=loire.carrier_user)
    client = Client(raise_request_exception=False)
    client.force_login(loire.carrier_user)
    url = reverse("declarations:edit", args=[declaration.pk])
    fields = [
        "collectives",
        "weeks",
        "weeks_sept_dec",
        "children_1",
        "charge_64",
        "subsidy_commune",
        "bonus_children_collectives",
        "action",
        "justify__weeks_below_minimum__weeks",
    ]

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.fixed_dictionaries({field: HOSTILE for field in fields}))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in (200, 302), (data, response.status_code)
        if response.status_code == 200:
            assert_errors_next_to_fields(response.content.decode(), data)
        declaration.refresh_from_db()
        assert declaration.status == "draft"  # no hostile value submits it

    post()
