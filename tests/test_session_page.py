"""The committee session page at the size of a real committee (issue 21): its queries do not
grow with the agenda, the financers or the members; the widgets and field blocks written by
Python are Django's and includes/field.html's to the character; the envelope board's figures;
the members and attendance fragment."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.urls import reverse

from clasportal.forms import StyledFormMixin
from clasportal.quickwidgets import QUICK
from clasportal.templatetags.clas import field_block
from committee import envelopes
from committee.financer_forms import FinancerDecisionForm, decision_form_kit
from committee.forms import DecisionForm
from committee.models import (
    AgendaItem,
    Attendance,
    CommitteeSession,
    Decision,
    Envelope,
    ExportJob,
    FinancerDecision,
    FinancingScheme,
    PartnerAccount,
    PartnerOrganisation,
    SchemeRequest,
)
from projects.models import BudgetLine, ProjectStatus

from .factories import CollectiveFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# The session page's queries, whatever its agenda, financers and members: the layout's own
# (session, user, second factor, the test's savepoints, the session saved: 8), the session
# with who sits, its agenda's length and the Caf's envelope row, one page of items, their
# financers' decisions and requests, the partners with their envelope rows, the attendance and
# the exports; the schemes for a member of an open session, the candidates for its
# administrator. The bench's counter (clasportal/bench.py) sees 4 fewer: 12 at most.
MOST = 16


def committee_table(world, items, *, status="open", partners=3, members=6):
    """A session of `items` projects, `partners` financers with two schemes each (asked and
    half decided on every project), `members` partner accounts sitting with the committee
    member, attendance recorded for half of them, and two exports."""
    caf, campaign = world.caf, world.project.campaign
    session = CommitteeSession.objects.create(
        caf=caf, campaign=campaign, date=datetime.date(2026, 10, 14), place="Épinal", status=status
    )
    organisations, schemes = [], []
    for n in range(partners):
        organisation = PartnerOrganisation.objects.create(caf=caf, kind="msa", name=f"MSA {n}")
        organisations.append(organisation)
        Envelope.objects.create(caf=caf, campaign=campaign, partner=organisation, amount=9000)
        schemes += [
            FinancingScheme.objects.create(
                partner=organisation, campaign=campaign, name=f"Dispositif {n}.{m}", rule="free"
            )
            for m in range(2)
        ]
    people = [world.committee]
    for n in range(members):
        person = UserFactory()
        PartnerAccount.objects.create(user=person, organisation=organisations[n % partners])
        people.append(person)
    session.members.set(people)
    for n, person in enumerate(people[::2]):
        Attendance.objects.create(
            session=session, user=person, status=["present", "excused"][n % 2]
        )
    for kind in ("agrement_pdf", "agrement_xlsx"):
        ExportJob.objects.create(session=session, kind=kind, created_by=world.caf_admin)
    grow_agenda(session, items, schemes)
    return session, organisations, schemes


def grow_agenda(session, count, schemes, start=0):
    for position in range(start, start + count):
        project = ProjectFactory(
            campaign=session.campaign,
            status=ProjectStatus.PROPOSED if session.is_open else ProjectStatus.APPROVED,
        )
        CollectiveFactory(project=project)
        item = AgendaItem.objects.create(session=session, project=project, position=position)
        for scheme in schemes:
            SchemeRequest.objects.create(project=project, scheme=scheme, amount=200)
            if scheme.pk % 2:
                FinancerDecision.objects.create(
                    project=project,
                    item=item,
                    partner=scheme.partner,
                    scheme=scheme,
                    outcome="granted",
                    amount=200,
                )
        if position % 2 or not session.is_open:
            Decision.objects.create(
                item=item, outcome="approved", collectives_retained=1, forecast_ps=2000
            )


def queries_by_page(client, world, session, django_assert_max_num_queries):
    counts = {}
    url = reverse("committee:session_detail", args=[session.pk])
    for who in ("committee", "caf_admin", "advisor"):
        client.force_login(getattr(world, who))
        client.get(url)  # warm the per-process caches (content types, sessions)
        for page in ("1", "3"):
            with django_assert_max_num_queries(MOST) as captured:
                response = client.get(url, {"page": page})
            assert response.status_code == 200
            counts[who, page] = len(captured)
    return counts


@pytest.mark.parametrize("status", ["open", "closed"])
def test_session_page_queries_do_not_grow_with_agenda_financers_or_members(
    client, vosges, status, django_assert_max_num_queries
):
    session, _, schemes = committee_table(vosges, 3, status=status, partners=2, members=2)
    few = queries_by_page(client, vosges, session, django_assert_max_num_queries)
    # Sixty items (three pages), four more financers, ten more members.
    for n in range(4):
        organisation = PartnerOrganisation.objects.create(
            caf=vosges.caf, kind="departement", name=f"Département {n}"
        )
        schemes.append(
            FinancingScheme.objects.create(
                partner=organisation, campaign=session.campaign, name="TNE", rule="free"
            )
        )
    for _ in range(10):
        person = UserFactory()
        PartnerAccount.objects.create(user=person, organisation=schemes[-1].partner)
        session.members.add(person)
        Attendance.objects.create(session=session, user=person, status="absent")
    grow_agenda(session, 57, schemes, start=3)
    many = queries_by_page(client, vosges, session, django_assert_max_num_queries)
    assert many == few
    client.force_login(vosges.committee)
    page = client.get(reverse("committee:session_detail", args=[session.pk]), {"page": "3"})
    assert page.context["page"].paginator.count == 60
    assert len(page.context["rows"]) == 10
    assert "Page 3 sur 3" in page.content.decode()


def test_the_board_keeps_its_figures(vosges):
    """Committed over the campaign, proposed by this agenda's undecided requests, the Caf's
    row from its approved decisions and the Caf lines of the undecided budgets."""
    session, (msa, cd, quiet), schemes = committee_table(vosges, 4, partners=3, members=0)
    FinancerDecision.objects.filter(partner=quiet).delete()
    SchemeRequest.objects.filter(scheme__partner=quiet).delete()
    Envelope.objects.filter(partner=quiet).delete()
    decided = AgendaItem.objects.filter(session=session, decision__isnull=False).first()
    BudgetLine.objects.create(
        project=decided.project, account="74", financer="caf", amount=Decimal("1500")
    )
    undecided = AgendaItem.objects.filter(session=session, decision__isnull=True)
    for item in undecided:
        BudgetLine.objects.create(
            project=item.project, account="74", financer="caf", amount=Decimal("3000")
        )
    Envelope.objects.create(
        caf=vosges.caf, campaign=session.campaign, partner=None, amount=Decimal("10000")
    )
    inactive = PartnerOrganisation.objects.create(
        caf=vosges.caf, kind="msa", name="Ancien partenaire", is_active=False
    )
    Envelope.objects.create(caf=vosges.caf, campaign=session.campaign, partner=inactive, amount=1)
    board = {row["financer"]: row for row in envelopes.envelope_board(session)}
    assert list(board) == ["Caf", "MSA 0", "MSA 1"]
    approved = Decision.objects.filter(item__session=session)
    caf = board["Caf"]
    assert caf["envelope"] == 10000
    assert caf["committed"] == sum(d.forecast_ps + d.forecast_bonus for d in approved)
    assert caf["proposed"] == 3000 * undecided.count()
    assert caf["available"] == 10000 - caf["committed"]
    for organisation in (msa, cd):
        row = board[organisation.name]
        granted = FinancerDecision.objects.filter(partner=organisation, outcome="granted")
        decided = {(d.project_id, d.scheme_id) for d in granted}
        asked = SchemeRequest.objects.filter(scheme__partner=organisation)
        assert row["committed"] == sum(d.amount for d in granted) > 0
        assert row["proposed"] == sum(
            r.amount for r in asked if (r.project_id, r.scheme_id) not in decided
        )
        assert row["envelope"] == 9000 and row["available"] == 9000 - row["committed"]
    # The page shows the same rows.
    assert "Ancien partenaire" not in str(board)


def widget_pairs(form_class, *args, **kwargs):
    """The same form rendered by the quick renderer and by Django's own."""
    quick = form_class(*args, **kwargs)
    django = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    assert quick.renderer is QUICK
    return [(quick[name], django[name]) for name in quick.fields]


class EveryWidget(StyledFormMixin, forms.Form):
    default_renderer = QUICK
    text = forms.CharField(label="Texte", help_text="Aide <b>échappée</b>")
    number = forms.IntegerField(label="Nombre", required=False)
    email = forms.EmailField(label="Courriel")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    check = forms.BooleanField(label="Coché", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    choice = forms.ChoiceField(
        choices=[("", "—"), ("Groupe", [("a", "A & B"), ("b", "<b>")]), ("c", "C")]
    )
    radio = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("1", "Un"), ("2", "Deux")], widget=forms.CheckboxSelectMultiple, required=False
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "text": '"<script>',
            "number": "douze",
            "email": "pas-une-adresse",
            "hidden": "h&",
            "check": "on",
            "notes": "Ligne\n<b>deux</b>",
            "choice": "b",
            "radio": "y",
            "many": ["2"],
        },
    ],
)
def test_quick_widgets_write_what_django_writes(data, vosges):
    initial = {"text": "Déjà <là>", "number": 3, "check": True, "radio": "x", "many": ["1"]}
    pairs = widget_pairs(EveryWidget, data, initial=initial)
    session, *_ = committee_table(vosges, 1, partners=2, members=0)
    item = AgendaItem.objects.get(session=session)
    kit = decision_form_kit(vosges.committee, session)
    decision = {
        f"item{item.pk}-outcome": "approved",
        f"item{item.pk}-collectives": "-1",
        f"item{item.pk}-reason": "<i>motif</i>",
    }
    financer = {f"fin{item.pk}-funding": "s999", f"fin{item.pk}-amount": "1 234,5"}
    pairs += widget_pairs(
        DecisionForm,
        decision if data else None,
        prefix=f"item{item.pk}",
        initial={"outcome": "refused", "collectives": 2, "bonus_parents": True, "reason": "«»"},
    )
    pairs += widget_pairs(
        FinancerDecisionForm, financer if data else None, prefix=f"fin{item.pk}", **kit
    )
    for quick, django in pairs:
        assert str(quick) == str(django), quick.name
        included = render_to_string("includes/field.html", {"field": django})
        assert render_to_string("includes/field.html", {"field": quick}) == included, quick.name
        assert field_block(quick) == included, quick.name
    if data:
        assert any(quick.errors for quick, _ in pairs)


def test_members_and_attendance_come_with_their_panel(client, vosges):
    session, organisations, _ = committee_table(vosges, 2, partners=1, members=2)
    page_url = reverse("committee:session_detail", args=[session.pk])
    people_url = reverse("committee:session_people", args=[session.pk])
    member = session.members.exclude(pk=vosges.committee.pk).first()
    client.force_login(vosges.committee)
    page = client.get(page_url).content.decode()
    assert f'hx-get="{people_url}"' in page and "Feuille de présence" not in page
    assert "Présent" in page  # who came stays on the page
    fragment = client.get(people_url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert "Feuille de présence" in text and member.get_full_name() in text
    assert organisations[0].name in text and "Enregistrer les présences" in text
    assert "Enregistrer les membres" not in text  # naming them is the administrator's
    # Without JavaScript, the same as a page of its own.
    full = client.get(people_url).content.decode()
    assert "<html" in full and "Feuille de présence" in full
    client.force_login(vosges.caf_admin)
    text = client.get(people_url, headers={"HX-Request": "true"}).content.decode()
    assert "Enregistrer les membres" in text and "Enregistrer les présences" in text
    # Who neither records nor names is not offered the panel, nor its address.
    client.force_login(vosges.advisor)
    assert f'hx-get="{people_url}"' not in client.get(page_url).content.decode()
    assert client.get(people_url).status_code == 403
