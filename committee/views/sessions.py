"""Committee sessions: the Caf administrator prepares them, committee members decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clasportal import confirmation
from clasportal.lists import page_number
from clasportal.rules import with_sitting
from clasportal.scoping import get_visible_or_404
from projects.models import Project

from .. import cofinancing, envelopes
from .. import sessions as service
from ..agenda import agenda_html
from ..financer_forms import FinancerDecisionForm, decision_form_kit
from ..forms import DecisionForm, SessionForm
from ..models import AgendaItem, CommitteeSession, ExportJob, PartnerOrganisation
from ..partners import MembersForm, session_members, sheet
from ..people import Attendance


def _session(request, pk, sessions=None):
    """The session, read with whether the person sits on it (one query for its permissions)."""
    if sessions is None:
        sessions = CommitteeSession.objects.select_related("caf", "campaign")
    session = get_visible_or_404(with_sitting(sessions, request.user), request.user, pk=pk)
    if not request.user.has_perm("committee.view_session", session):
        raise PermissionDenied
    return session


def session_list(request):
    caf = request.user.caf
    if not request.user.has_perm("committee.view_session", caf):
        raise PermissionDenied
    sessions = (
        CommitteeSession.objects.visible_to(request.user)
        .select_related("campaign")
        .annotate(items_count=Count("items"))
        .order_by("-date", "pk")
    )
    return render(
        request,
        "committee/session_list.html",
        {
            "sessions": sessions,
            "can_manage": request.user.has_perm("committee.manage_session", caf),
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request):
    caf = request.user.caf
    if not request.user.has_perm("committee.manage_session", caf):
        raise PermissionDenied
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.caf = caf
        session.created_by = request.user
        session.save()
        form.save_m2m()
        messages.success(request, f"{session} créé.")
        return redirect("committee:session_detail", pk=session.pk)
    return render(request, "committee/session_form.html", {"form": form})


AGENDA_PAGE_SIZE = 25


def session_detail(request, pk, decision_forms=None, financer_forms=None):
    # Issue 21: the page's queries do not depend on its agenda, financers or members. The
    # session comes with its agenda's length and the Caf's row of the envelope board; the
    # partners with theirs; who sits and the attendance sheet are read by their own fragment.
    session = _session(
        request,
        pk,
        envelopes.with_caf_board(
            CommitteeSession.objects.select_related("caf", "campaign")
        ).annotate(
            agenda_length=Coalesce(
                Subquery(
                    AgendaItem.objects.filter(session=OuterRef("pk"))
                    .order_by()
                    .values("session")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        ),
    )
    user = request.user
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("project__carrier__commune", "decision")
        .with_collective_figures()
        .order_by("position", "pk")
    )
    # A session of 300 projects is read a page at a time; each page costs the same queries.
    paginator = Paginator(items, AGENDA_PAGE_SIZE)
    paginator.count = session.agenda_length  # read with the session
    page = paginator.get_page(page_number(request.GET.get("page") or request.POST.get("page")))
    page_items = list(page.object_list)
    project_ids = [item.project_id for item in page_items]
    financers = cofinancing.financers_of_rows(project_ids)
    asked = cofinancing.requests_of_rows(project_ids)
    partners = list(
        envelopes.with_partner_board(
            PartnerOrganisation.objects.visible_to(user).order_by("name"), session
        )
    )
    can_decide = user.has_perm("committee.decide", session) and session.is_open
    can_record = user.has_perm("committee.record_financer_decision", session) and session.is_open
    kit = decision_form_kit(user, session, partners) if can_record else None
    decision_forms = decision_forms or {}
    financer_forms = financer_forms or {}
    rows = []
    for item in page_items:
        decision = getattr(item, "decision", None)
        form = None
        if can_decide:
            form = decision_forms.get(item.pk) or DecisionForm(
                initial=decision_initial(item, decision), prefix=f"item{item.pk}"
            )
        financer_form = None
        if kit is not None:
            financer_form = financer_forms.get(item.pk) or FinancerDecisionForm(
                prefix=f"fin{item.pk}", **kit
            )
        rows.append(
            {
                "item": item,
                "decision": decision,
                "form": form,
                "financers": financers.get(item.project_id, []),
                "asked": asked.get(item.project_id, []),
                "financer_form": financer_form,
            }
        )
    can_manage = user.has_perm("committee.manage_session", session)
    return render(
        request,
        "committee/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "agenda": agenda_html(
                rows,
                session=session,
                page=page,
                can_decide=can_decide,
                csrf_token=get_token(request),
            ),
            "page": page,
            "board": envelopes.envelope_board(session, partners),
            "can_manage": can_manage,
            "can_decide": can_decide,
            "can_close": user.has_perm("committee.close_session", session) and session.is_open,
            "too_early": session.date > timezone.localdate(),
            "candidates": service.proposed_not_on_agenda(session, user) if can_manage else [],
            "exports": session.exports.all()[:10],
            # The letters are sent by the Caf administrator once the session is closed: others
            # are not offered a button that leads nowhere (issue 20).
            "export_kinds": [
                (kind, kind.label)
                for kind in ExportJob.SESSION_KINDS
                if kind != ExportJob.Kind.LETTERS or (can_manage and not session.is_open)
            ],
            "letters_later": can_manage and session.is_open,
            "partner_kinds": [(kind, kind.label) for kind in ExportJob.PARTNER_KINDS],
            "export_partners": kit["partners"] if kit else partners,
            # Issue 18: who came (the attendance sheet, by status); naming the members and
            # recording their attendance is a fragment of its own (session_people).
            "attendance": session.attendance_groups,
            "people_editable": people_editable(user, session),
        },
    )


def decision_initial(item, decision):
    """What the committee's decision form proposes: the decision taken, else the advisor's."""
    if decision:
        return {
            "outcome": decision.outcome,
            "collectives": decision.collectives_retained,
            "bonus_children": decision.bonus_children_retained,
            "bonus_parents": decision.bonus_parents_retained,
            "reason": decision.reason,
        }
    return {
        "outcome": "approved",
        "collectives": item.project.proposed_collectives or item.collectives_count,
        "bonus_children": item.project.bonus_children_granted,
        "bonus_parents": item.project.bonus_parents_granted,
    }


def people_editable(user, session):
    """Whether the person records the attendance or names the members (open session)."""
    return user.has_perm("committee.record_attendance", session) or (
        session.is_open and user.has_perm("committee.manage_session", session)
    )


@require_GET
def session_people(request, pk):
    """The session's members and attendance sheet, for those who record them: loaded by the
    session page when its « Membres et présences » panel opens (a page of its own without
    JavaScript)."""
    session = _session(request, pk)
    if not people_editable(request.user, session):
        raise PermissionDenied
    can_manage = request.user.has_perm("committee.manage_session", session)
    members = list(session_members(session))
    context = {
        "session": session,
        "sheet": sheet(session, members)
        if request.user.has_perm("committee.record_attendance", session)
        else None,
        "attendance_statuses": Attendance.Status.choices,
        "members_form": MembersForm(user=request.user, initial={"members": members})
        if can_manage and session.is_open
        else None,
    }
    if request.htmx:
        return render(request, "committee/partners/_session_sheet.html", context)
    return render(request, "committee/partners/session_people.html", context)


@require_POST
def session_agenda(request, pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.manage_session", session):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("projects") if i.isascii() and i.isdigit()]
    projects = Project.objects.visible_to(request.user).filter(pk__in=ids)
    try:
        added = service.add_to_agenda(session, projects, by=request.user)
    except service.SessionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{added} projet{pluralize(added)} inscrit{pluralize(added)} à l'ordre du jour.",
        )
    return redirect("committee:session_detail", pk=session.pk)


@require_POST
def session_decide(request, pk, item_pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.decide", session):
        raise PermissionDenied
    item = get_object_or_404(session.items, pk=item_pk)
    form = DecisionForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        messages.error(request, "Décision non enregistrée : corrigez le formulaire.")
        return session_detail(request, pk, decision_forms={item.pk: form})
    data = form.cleaned_data
    if not confirmation.confirmed(request):
        # Issue 17: revising a decision once money exists says what follows, and asks first.
        try:
            follows = service.revision_consequences(
                item,
                outcome=data["outcome"],
                collectives=data.get("collectives") or 0,
                bonus_children=data["bonus_children"],
                bonus_parents=data["bonus_parents"],
                reason=data["reason"],
            )
        except service.SessionError as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)
            return session_detail(request, pk, decision_forms={item.pk: form})
        if follows:
            return confirmation.ask(
                request,
                title=f"Revoir la décision sur « {item.project.title} » ?",
                intro="Ce projet a déjà des déclarations ou des paiements. Voici ce qui "
                "découle de la nouvelle décision :",
                summary=follows,
                action=reverse("committee:session_decide", args=[session.pk, item.pk]),
                cancel=reverse("committee:session_detail", args=[session.pk]),
                button="Confirmer la décision et ses conséquences",
            )
    try:
        service.record_decision(
            item.pk,
            by=request.user,
            outcome=data["outcome"],
            collectives=data.get("collectives") or 0,
            bonus_children=data["bonus_children"],
            bonus_parents=data["bonus_parents"],
            reason=data["reason"],
            confirmed=confirmation.confirmed(request),
        )
    except cofinancing.EnvelopeOverrun as exc:
        return confirmation.ask(
            request,
            title="Dépasser l'enveloppe de la Caf ?",
            intro=exc.message,
            summary=[
                f"La décision sur « {item.project.title} » sera enregistrée au-delà de "
                "l'enveloppe de la Caf pour la campagne.",
                "Le dépassement sera inscrit au journal des actions (qui, quand, de combien).",
            ],
            action=reverse("committee:session_decide", args=[session.pk, item.pk]),
            cancel=reverse("committee:session_detail", args=[session.pk]),
            button="Enregistrer malgré le dépassement",
        )
    except service.SessionError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return session_detail(request, pk, decision_forms={item.pk: form})
    messages.success(request, f"Décision enregistrée pour « {item.project.title} ».")
    return redirect("committee:session_detail", pk=session.pk)


def _closing_summary(session):
    counts = dict(
        session.items.filter(decision__isnull=False)
        .values_list("decision__outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = (("approved", "agréé"), ("refused", "refusé"), ("adjourned", "ajourné"))
    decided = ", ".join(
        f"{counts[key]} {label}{'s' if counts[key] > 1 else ''}"
        for key, label in labels
        if counts.get(key)
    )
    return [
        f"Les décisions deviennent définitives ({decided or 'aucun projet'}) : elles ne "
        "pourront plus être revues.",
        f"Les lettres de notification porteront la date de clôture, le "
        f"{timezone.localdate():%d/%m/%Y}, et rappelleront la réunion du "
        f"{session.date:%d/%m/%Y}.",
        "Les porteurs agréés pourront saisir leur déclaration prévisionnelle.",
    ]


@require_POST
def session_close(request, pk):
    session = _session(request, pk)
    if not request.user.has_perm("committee.close_session", session):
        raise PermissionDenied
    if not confirmation.confirmed(request):
        try:
            service.check_closable(session)
        except service.SessionError as exc:
            messages.error(request, exc.message)
            return redirect("committee:session_detail", pk=session.pk)
        return confirmation.ask(
            request,
            title=f"Clore le {session} ?",
            summary=_closing_summary(session),
            action=reverse("committee:session_close", args=[session.pk]),
            cancel=reverse("committee:session_detail", args=[session.pk]),
            button="Confirmer la clôture",
        )
    try:
        service.close_session(session.pk, by=request.user)
    except service.SessionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Comité clos : les décisions sont verrouillées.")
    return redirect("committee:session_detail", pk=session.pk)
