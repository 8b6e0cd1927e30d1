"""Committee sessions: the Caf administrator prepares them, committee members decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import confirmation
from clasportal.lists import page_number
from clasportal.scoping import get_visible_or_404
from projects.models import Project

from .. import cofinancing
from .. import sessions as service
from ..financer_forms import FinancerDecisionForm, decision_form_kit
from ..forms import DecisionForm, SessionForm
from ..models import AgendaItem, CommitteeSession, ExportJob, PartnerOrganisation
from ..partners import MembersForm, sheet
from ..people import Attendance


def _session(request, pk):
    session = get_visible_or_404(
        CommitteeSession.objects.select_related("caf", "campaign"), request.user, pk=pk
    )
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
    session = _session(request, pk)
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("project__carrier__commune__territory", "decision")
        .annotate(
            collectives_count=Count("project__collectives", distinct=True),
            children=Sum("project__collectives__planned_children"),
        )
        .order_by("position", "pk")
    )
    # A session of 300 projects is read a page at a time; each page costs the same queries.
    page = Paginator(items, AGENDA_PAGE_SIZE).get_page(
        page_number(request.GET.get("page") or request.POST.get("page"))
    )
    page_items = list(page.object_list)
    project_ids = [item.project_id for item in page_items]
    financers = cofinancing.financers_of_rows(project_ids)
    asked = cofinancing.requests_of_rows(project_ids)
    can_record = (
        request.user.has_perm("committee.record_financer_decision", session) and session.is_open
    )
    kit = decision_form_kit(request.user, session) if can_record else None
    decision_forms = decision_forms or {}
    financer_forms = financer_forms or {}
    rows = []
    for item in page_items:
        decision = getattr(item, "decision", None)
        initial = {
            "outcome": "approved",
            "collectives": item.project.proposed_collectives or item.collectives_count,
            "bonus_children": item.project.bonus_children_granted,
            "bonus_parents": item.project.bonus_parents_granted,
        }
        if decision:
            initial = {
                "outcome": decision.outcome,
                "collectives": decision.collectives_retained,
                "bonus_children": decision.bonus_children_retained,
                "bonus_parents": decision.bonus_parents_retained,
                "reason": decision.reason,
            }
        form = decision_forms.get(item.pk) or DecisionForm(initial=initial, prefix=f"item{item.pk}")
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
    can_manage = request.user.has_perm("committee.manage_session", session)
    can_record = request.user.has_perm("committee.record_attendance", session)
    return render(
        request,
        "committee/session_detail.html",
        {
            "session": session,
            "rows": rows,
            "page": page,
            "board": cofinancing.envelope_board(session),
            "can_record_financers": can_record,
            "can_manage": can_manage,
            "can_decide": request.user.has_perm("committee.decide", session) and session.is_open,
            "can_close": request.user.has_perm("committee.close_session", session)
            and session.is_open,
            "too_early": session.date > timezone.localdate(),
            "candidates": service.proposed_not_on_agenda(session, request.user)
            if can_manage
            else [],
            "exports": session.exports.select_related("created_by")[:10],
            # The letters are sent by the Caf administrator once the session is closed: others
            # are not offered a button that leads nowhere (issue 20).
            "export_kinds": [
                (kind, kind.label)
                for kind in ExportJob.SESSION_KINDS
                if kind != ExportJob.Kind.LETTERS or (can_manage and not session.is_open)
            ],
            "letters_later": can_manage and session.is_open,
            "partner_kinds": [(kind, kind.label) for kind in ExportJob.PARTNER_KINDS],
            "export_partners": kit["partners"]
            if kit
            else PartnerOrganisation.objects.visible_to(request.user).order_by("name"),
            # Issue 18: who sits (named members) and who came (the attendance sheet).
            "attendance": session.attendance_groups,
            "sheet": sheet(session) if can_record else None,
            "attendance_statuses": Attendance.Status.choices,
            "members_form": MembersForm(
                user=request.user, initial={"members": list(session.members.all())}
            )
            if can_manage and session.is_open
            else None,
        },
    )


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
