from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

from .cases import CaseError
from .forms import BaremeForm, CafPolicyForm, SimulatorForm, form_field_for
from .models import Bareme, CafPolicy, FundingComputation
from .services import compute_from_data


def _caf_policy_for(user):
    """The Caf whose minimum weeks apply: the staff member's, or the carrier's first one."""
    return CafPolicy.objects.visible_to(user).order_by("pk").first()


@permission_required("funding.use_simulator", raise_exception=True)
@require_http_methods(["GET", "POST"])
def simulator(request):
    policy = _caf_policy_for(request.user)
    locked = policy is not None and not request.user.has_perm("funding.choose_simulation_policy")
    initial = {"min_weeks": policy.min_weeks if policy else 27}
    carrier = (
        request.user.carrier_memberships.filter(accepted_at__isnull=False)
        .select_related("carrier")
        .first()
    )
    if carrier:
        initial["carrier_kind"] = carrier.carrier.kind
    result = case = None
    if request.method == "POST":
        form = SimulatorForm(request.POST, initial=initial, min_weeks_locked=locked)
        if form.is_valid():
            case = form.to_case()
            try:
                _parsed, result = compute_from_data(case)
            except CaseError as exc:
                for error in exc.errors:
                    form.add_error(form_field_for(error["field"]), error["message"])
    else:
        form = SimulatorForm(initial=initial, min_weeks_locked=locked)
    context = {"form": form, "result": result, "policy": policy}
    if request.htmx:
        return render(request, "funding/_simulator_result.html", {**context, "oob": True})
    return render(request, "funding/simulator.html", context)


@permission_required("funding.view_bareme", raise_exception=True)
def bareme_list(request):
    baremes = Bareme.objects.all()
    return render(
        request,
        "funding/bareme_list.html",
        {"baremes": baremes, "can_edit": request.user.has_perm("funding.change_bareme")},
    )


def _affected_projects(bareme):
    project_ids = FundingComputation.objects.filter(bareme=bareme, project__isnull=False).values(
        "project_id"
    )
    # The projects are known to funding only through its computations' foreign key.
    project_model = FundingComputation._meta.get_field("project").related_model
    return project_model.objects.filter(id__in=project_ids).select_related(
        "carrier", "campaign__caf"
    )


@permission_required("funding.change_bareme", raise_exception=True)
@require_http_methods(["GET", "POST"])
def bareme_edit(request, year=None):
    bareme = get_object_or_404(Bareme, year=year) if year is not None else Bareme()
    affected = _affected_projects(bareme) if bareme.pk else None
    used_by_decision = bool(bareme.pk) and bareme.computations.filter(is_decision=True).exists()
    needs_confirmation = False
    if request.method == "POST":
        form = BaremeForm(request.POST, instance=bareme)
        if form.is_valid():
            changed = form.has_changed() and set(form.changed_data) != {"confirm"}
            if bareme.pk and changed and affected.exists() and not form.cleaned_data["confirm"]:
                # A barème already used is never changed silently: show what it affects first.
                needs_confirmation = True
                form.data = form.data.copy()
                form.data["confirm"] = "True"
            else:
                with transaction.atomic():
                    saved = form.save()
                messages.success(request, f"Barème {saved.year} enregistré.")
                return redirect("funding:bareme_list")
    else:
        form = BaremeForm(instance=bareme)
    history = bareme.history.select_related("history_user")[:20] if bareme.pk else []
    return render(
        request,
        "funding/bareme_form.html",
        {
            "form": form,
            "bareme": bareme,
            "affected": affected[:100] if affected is not None else [],
            "affected_count": affected.count() if bareme.pk else 0,
            "used_by_decision": used_by_decision,
            "needs_confirmation": needs_confirmation,
            "history": _history_rows(history),
        },
    )


def _history_rows(records):
    """Who, when, and each field's before → after, from django-simple-history."""
    records = list(records)
    rows = []
    for index, record in enumerate(records):
        changes = []
        # The list runs newest first: the record before this one is the next in the list, and
        # only the oldest shown needs a query.
        previous = records[index + 1] if index + 1 < len(records) else record.prev_record
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                (record._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes
            ]
        rows.append({"record": record, "changes": changes, "created": previous is None})
    return rows


@permission_required(
    "funding.change_cafpolicy", fn=lambda request: request.user.caf, raise_exception=True
)
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    caf = request.user.caf
    if caf is None:
        raise PermissionDenied
    policy = CafPolicy.of(caf)
    if request.method == "POST":
        form = CafPolicyForm(request.POST, instance=policy)
        if form.is_valid():
            form.save()
            messages.success(request, "Paramètres locaux enregistrés.")
            return redirect("funding:policy")
    else:
        form = CafPolicyForm(instance=policy)
    history = policy.history.select_related("history_user")[:20]
    return render(
        request,
        "funding/policy_form.html",
        {"form": form, "policy": policy, "caf": caf, "history": _history_rows(history)},
    )
