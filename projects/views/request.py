"""The multi-step request: each step saved as soon as it is left, valid fields kept on errors."""

import logging

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clasportal import confirmation, files
from clasportal.formatting import format_euros
from clasportal.forms import save_valid_fields

from .. import workflow
from ..budget import line_label
from ..campaigns import documents_for
from ..completeness import (
    budget_summary,
    documents_to_add,
    engagements_of,
    findings,
    missing_items,
    policy_for,
    required_documents,
    sessions_text,
    simulated_funding,
)
from ..forms import AttachmentForm, BonusForm, BudgetForm, CarrierForm, ProjectDescriptionForm
from ..forms.conventions import ConventionRequestForm
from ..models import ProjectStatus, Situation
from ..steps import STEP_TITLES, can_edit_section, neighbours, steps_for
from .common import carrier_project

logger = logging.getLogger(__name__)

FORM_STEPS = {
    "structure": lambda project, data: CarrierForm(data, instance=project.carrier),
    "projet": lambda project, data: ProjectDescriptionForm(data, instance=project),
    "bonus": lambda project, data: BonusForm(data, instance=project),
    "budget": lambda project, data: BudgetForm(
        data, project=project, policy=policy_for(project.campaign.caf)
    ),
    "convention": lambda project, data: ConventionRequestForm(data, instance=project),
}


def _rules(project):
    """The Caf's rules the collectives step states (its policy, not the Loire's)."""
    policy = policy_for(project.campaign.caf)
    return {
        "policy": policy,
        "sessions_town": sessions_text(policy, False),
        "sessions_rural": sessions_text(policy, True),
    }


def step_url(project, slug):
    return reverse("projects:step", args=[project.pk, slug])


def _context(project, slug, **extra):
    previous, following = neighbours(project, slug)
    return {
        "project": project,
        "steps": steps_for(project),
        "current": slug,
        "title": STEP_TITLES[slug],
        "previous": previous,
        "following": following,
        "editable": can_edit_section(project, slug),
        **extra,
    }


STALE_MESSAGE = (
    "Cette demande a été modifiée entre-temps (autre onglet ou collègue) : rien n'a été "
    "écrasé. Vos saisies sont ci-dessous ; rechargez la page pour voir la version enregistrée, "
    "puis reportez-les."
)


def _claim_version(project, posted):
    """Optimistic lock: the save goes through only from the version the page was built on."""
    from django.db.models import F

    from ..models import Project

    if posted in (None, ""):
        # A post without the token (a script, an old page) is not locked, only counted.
        Project.objects.filter(pk=project.pk).update(version=F("version") + 1)
        project.refresh_from_db(fields=["version"])
        return project.version
    try:
        version = int(posted)
    except (TypeError, ValueError):
        return None
    if not 0 <= version < 2**31:
        return None
    updated = Project.objects.filter(pk=project.pk, version=version).update(
        version=F("version") + 1
    )
    if not updated:
        return None
    project.version = version + 1
    return project.version


def _save(form):
    if isinstance(form, ConventionRequestForm):
        form.save_draft()
        return
    if isinstance(form, BudgetForm):
        form.save()
        return
    if form.is_valid():
        form.save()
    else:
        save_valid_fields(form)


def _target(request, project, slug):
    action = request.POST.get("go", "")
    previous, following = neighbours(project, slug)
    if action == "previous" and previous:
        return previous
    if action == "next" and following:
        return following
    if action.startswith("step:") and action[5:] in STEP_TITLES:
        return action[5:]
    return slug


@require_http_methods(["GET", "POST"])
def step(request, pk, slug):
    project = carrier_project(request, pk)
    if slug not in {s.slug for s in steps_for(project)}:
        raise Http404
    if slug == "recapitulatif":
        return review(request, project)
    if slug in ("collectifs", "pieces") and request.method == "POST":
        return redirect(step_url(project, _target(request, project, slug)))
    if slug == "collectifs":
        collectives = project.collectives.select_related("commune").prefetch_related("intervenants")
        return render(
            request,
            "projects/request/collectives.html",
            _context(project, slug, collectives=collectives, **_rules(project)),
        )
    if slug == "pieces":
        return attachments_page(request, project)

    build = FORM_STEPS[slug]
    editable = can_edit_section(project, slug)
    if request.method == "POST":
        form = build(project, request.POST)
        if not editable:
            messages.error(request, "Cette section n'est pas modifiable : la demande est déposée.")
            return redirect(step_url(project, slug))
        version = _claim_version(project, request.POST.get("version"))
        if version is None:
            # Two tabs or two colleagues: nothing is overwritten, the entries stay on screen.
            form.is_valid()
            form.add_error(None, STALE_MESSAGE)
            if request.htmx and request.POST.get("autosave"):
                return HttpResponse(STALE_MESSAGE, content_type="text/plain", status=409)
            messages.error(request, STALE_MESSAGE)
            return render(
                request,
                "projects/request/form_step.html",
                _context(project, slug, form=form, version=project.version),
                status=409,
            )
        _save(form)
        if request.htmx and request.POST.get("autosave"):
            return render(
                request,
                "projects/request/_autosaved.html",
                {"version": version, "now": timezone.localtime()},
            )
        if form.errors:
            messages.warning(
                request,
                "Brouillon enregistré, sauf les champs signalés : corrigez-les avant le dépôt.",
            )
            return render(
                request,
                "projects/request/form_step.html",
                _context(project, slug, form=form, version=version),
                status=200,
            )
        if request.POST.get("go") == "save":
            messages.success(request, f"Brouillon enregistré : « {STEP_TITLES[slug]} ».")
        return redirect(step_url(project, _target(request, project, slug)))
    extra = {}
    if slug == "budget":
        extra = {"summary": budget_summary(project), "funding": simulated_funding(project)}
    if slug == "structure":
        extra = _rib_context(project)
    if slug == "bonus":
        extra = {"bareme": _bareme_of(project)}
    return render(
        request,
        "projects/request/form_step.html",
        _context(project, slug, form=build(project, None), version=project.version, **extra),
    )


def _bareme_of(project):
    """The barème of the campaign's year (its bonus amounts), or None when not loaded."""
    from funding.models import Bareme

    return Bareme.objects.filter(year=project.campaign.year).first()


def _rib_context(project):
    """The RIB is asked with the carrier's identity (step 1), stored like every attachment."""
    rib = documents_for(project.campaign).filter(name__istartswith="RIB").first()
    if rib is None:
        return {"rib_type": None}
    return {
        "rib_type": rib,
        "rib_files": list(project.attachments.filter(document_type=rib)),
        "rib_form": AttachmentForm(project=project, initial={"document_type": rib.pk}),
    }


def attachments_page(request, project, form=None):
    attachments = project.attachments.select_related("document_type")
    present = {a.document_type_id for a in attachments}
    required = [(d, d.pk in present) for d in required_documents(project)]
    addable = documents_to_add(project)
    return render(
        request,
        "projects/request/attachments.html",
        _context(
            project,
            "pieces",
            attachments=attachments,
            required=required,
            can_upload=addable != [],
            only_missing=addable is not None,
            form=form or AttachmentForm(project=project, only=addable),
        ),
    )


def _fixable(project, slug):
    """Whether the carrier can mend this section now (else it asks its advisor to reopen it)."""
    if slug == "pieces":
        return documents_to_add(project) != []
    return can_edit_section(project, slug)


def review(request, project):
    missing = missing_items(project)
    by_step = {}
    for item in missing:
        by_step.setdefault(item.step, []).append(item.message)
    return render(
        request,
        "projects/request/review.html",
        _context(
            project,
            "recapitulatif",
            missing=[
                (STEP_TITLES[s], s, items, _fixable(project, s)) for s, items in by_step.items()
            ],
            findings=findings(project),
            funding=simulated_funding(project),
            collectives=project.collectives.select_related("commune").prefetch_related(
                "intervenants"
            ),
            lines=[(line_label(line), line.amount) for line in project.budget_lines.all()],
            attachments=project.attachments.select_related("document_type"),
            window_open=workflow.window_open_for(project),
            engagements=engagements_of(project),
        ),
    )


def _engagements_refused(request, wanted):
    """A French message when an attestation is not ticked or the signatory is not named."""
    if any(request.POST.get(f"engagement_{i}") != "1" for i in range(len(wanted))):
        return (
            "Pour déposer, le représentant légal (ou la personne qui dépose en son nom) "
            "atteste chacun des engagements demandés par la Caf : cochez-les tous."
        )
    if wanted and not request.POST.get("engaged_as", "").strip():
        return "Indiquez au nom de qui les engagements sont attestés (le représentant légal)."
    return None


def _depositable(project):
    """Ask for confirmation only when the deposit can go through (else its error shows)."""
    return (
        project.status in (ProjectStatus.DRAFT, ProjectStatus.CHANGES_REQUESTED)
        and (project.status != ProjectStatus.DRAFT or workflow.window_open_for(project))
        and not missing_items(project)
        and not any(f.severity == "error" for f in findings(project))
    )


def _deposit_summary(project):
    funding = simulated_funding(project)
    if project.convention_id and project.situation == Situation.CONTINUING:
        return [
            "Les données prévisionnelles de l'année sont transmises à votre Caf et figées.",
            "Conformes à la convention, elles sont agréées sans passage en comité ; sinon "
            "votre Caf valide ou refuse l'ajustement.",
        ]
    lines = [
        "La demande est figée : vous ne pourrez plus la modifier, sauf les sections que votre "
        "conseiller rouvrirait.",
        "Votre conseiller Caf est prévenu et commence l'instruction.",
        "Un récépissé de dépôt (PDF) vous est envoyé par e-mail et reste téléchargeable ici.",
    ]
    if funding:
        lines.append(
            f"Montant demandé (simulation) : {format_euros(funding.forecast.right)}, "
            "décidé ensuite par le comité."
        )
    return lines


@require_POST
def submit(request, pk):
    project = carrier_project(request, pk)
    # Checked once: a request that cannot go through gets its own error from the workflow.
    depositable = _depositable(project)
    wanted = engagements_of(project)
    refused = _engagements_refused(request, wanted) if depositable else None
    if refused:
        messages.error(request, refused)
        return redirect(step_url(project, "recapitulatif"))
    if not confirmation.confirmed(request) and depositable:
        return confirmation.ask(
            request,
            title=f"Déposer « {project.title} » ?",
            intro="Relisez ce qui va se passer avant de confirmer le dépôt.",
            summary=_deposit_summary(project),
            action=reverse("projects:submit", args=[project.pk]),
            cancel=step_url(project, "recapitulatif"),
            button="Confirmer le dépôt",
        )
    try:
        # A savepoint: when the receipt cannot be stored the deposit is undone whole.
        with transaction.atomic():
            # The attestations are stored first, so the receipt prints them.
            type(project).objects.filter(pk=project.pk).update(
                engagements=wanted,
                engaged_as=request.POST.get("engaged_as", "").strip()[:150] if wanted else "",
                engaged_by=request.user if wanted else None,
                engaged_at=timezone.now() if wanted else None,
            )
            project = workflow.submit(project.pk, by=request.user)
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
        return redirect(step_url(project, "recapitulatif"))
    except files.STORAGE_ERRORS:
        logger.warning("deposit of project %s refused: storage unavailable", project.pk)
        messages.error(
            request,
            "Le stockage des documents est momentanément indisponible : la demande n'est pas "
            "déposée. Réessayez dans quelques minutes.",
        )
        return redirect(step_url(project, "recapitulatif"))
    messages.success(
        request,
        "Votre demande est déposée. Le récépissé vous a été envoyé par "
        "e-mail ; vous pouvez aussi le télécharger ici.",
    )
    return redirect("projects:detail", pk=project.pk)
