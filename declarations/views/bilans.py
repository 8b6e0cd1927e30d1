"""Bilans: the Caf administrator's questionnaire, the carrier's answers (draft, then transmitted
once), the advisors' reading, and the departmental bilan (page, PDF, XLSX)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clasportal import rules
from clasportal.forms import StyledFormMixin
from clasportal.scoping import get_visible_or_404
from projects.models import Campaign, Project

from .. import bilans
from ..models import BilanForm, BilanQuestion, BilanResponse, Resource
from .resources import resources_for


def _need(request, permission, obj=None):
    if not rules.can(request.user, permission, obj):
        raise PermissionDenied


class SettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BilanForm
        fields = ["title", "introduction", "opens_on", "due_on", "required_for_renewal"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_on", "due_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
            self.fields[name].error_messages["invalid"] = "Saisissez une date (jj/mm/aaaa)."

    def clean(self):
        data = super().clean()
        opens, due = data.get("opens_on"), data.get("due_on")
        if opens and due and due < opens:
            self.add_error("due_on", "La date limite ne peut pas précéder l'ouverture du bilan.")
        return data


class QuestionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BilanQuestion
        fields = ["section", "position", "text", "help_text", "kind", "choices", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("kind") == BilanQuestion.Kind.CHOICE:
            lines = [line for line in (data.get("choices") or "").splitlines() if line.strip()]
            if len(lines) < 2:
                self.add_error(
                    "choices", "Une question à choix propose au moins deux réponses, une par ligne."
                )
        return data


def _admin_context(request, campaign, form, settings_form=None, question_form=None):
    context = {"campaign": campaign, "form": form}
    if form is None:
        context["can_manage"] = rules.can(request.user, "declarations.manage_bilan", campaign)
        return context
    can_manage = rules.can(request.user, "declarations.manage_bilan", form)
    answered = {
        r.project_id: r
        for r in BilanResponse.objects.filter(form=form).only(
            "pk", "project_id", "status", "submitted_at", "read_at"
        )
    }
    expected = bilans.projects_expected(form).select_related("carrier").order_by("title")
    page = Paginator(expected, 50).get_page(request.GET.get("page"))
    context.update(
        can_manage=can_manage,
        questions=list(form.questions.all()),
        settings_form=(settings_form or SettingsForm(instance=form)) if can_manage else None,
        question_form=(question_form or QuestionForm()) if can_manage else None,
        page=page,
        rows=[(project, answered.get(project.pk)) for project in page.object_list],
        submitted=sum(1 for r in answered.values() if r.status == "submitted"),
        expected_count=page.paginator.count,
    )
    return context


def bilan_admin(request, campaign_pk):
    """The campaign's bilan for the Caf: its questionnaire and who has transmitted."""
    _need(request, "declarations.view_bilans")
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_pk)
    form = BilanForm.objects.filter(campaign=campaign).first()
    return render(request, "declarations/bilan_admin.html", _admin_context(request, campaign, form))


@require_POST
def bilan_create(request, campaign_pk):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_pk)
    _need(request, "declarations.manage_bilan", campaign)
    if not BilanForm.objects.filter(campaign=campaign).exists():
        bilans.create_form(campaign, by=request.user)
        messages.success(
            request,
            "Le questionnaire de bilan est créé avec les indicateurs habituels : "
            "adaptez-le avant son ouverture.",
        )
    return redirect("declarations:bilan_admin", campaign.pk)


@require_POST
def bilan_settings(request, pk):
    form = get_visible_or_404(BilanForm, request.user, pk=pk)
    _need(request, "declarations.manage_bilan", form)
    settings_form = SettingsForm(request.POST, instance=form)
    if settings_form.is_valid():
        settings_form.save()
        messages.success(request, "Le questionnaire est enregistré.")
        return redirect("declarations:bilan_admin", form.campaign_id)
    return _admin_with_errors(request, form, settings_form=settings_form)


def _admin_with_errors(request, form, **invalid):
    """The admin page again with the invalid form and the person's entries (status 400)."""
    context = _admin_context(request, form.campaign, form, **invalid)
    return render(request, "declarations/bilan_admin.html", context, status=400)


@require_POST
def bilan_question_add(request, pk):
    form = get_visible_or_404(BilanForm, request.user, pk=pk)
    _need(request, "declarations.manage_bilan", form)
    question_form = QuestionForm(request.POST)
    if question_form.is_valid():
        question = question_form.save(commit=False)
        question.form = form
        question.save()
        messages.success(request, "La question est ajoutée.")
        return redirect("declarations:bilan_admin", form.campaign_id)
    return _admin_with_errors(request, form, question_form=question_form)


def bilan_question_edit(request, pk):
    question = get_visible_or_404(
        BilanQuestion.objects.select_related("form__campaign"), request.user, pk=pk
    )
    _need(request, "declarations.manage_bilan", question.form)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "La question est enregistrée.")
        return redirect("declarations:bilan_admin", question.form.campaign_id)
    return render(
        request,
        "declarations/bilan_question.html",
        {"question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def bilan_question_delete(request, pk):
    question = get_visible_or_404(BilanQuestion.objects.select_related("form"), request.user, pk=pk)
    _need(request, "declarations.manage_bilan", question.form)
    answered = BilanResponse.objects.filter(
        form=question.form, status=BilanResponse.Status.SUBMITTED, answers__has_key=str(question.pk)
    ).exists()
    if answered:
        messages.error(
            request,
            "Des porteurs ont déjà répondu à cette question dans un bilan transmis : "
            "elle ne peut plus être supprimée (rendez-la facultative).",
        )
    else:
        question.delete()
        messages.success(request, "La question est supprimée.")
    return redirect("declarations:bilan_admin", question.form.campaign_id)


def bilan_fill(request, project_pk):
    """The carrier's bilan for one project: saved as a draft, transmitted once."""
    project = get_visible_or_404(
        Project.objects.select_related("campaign", "carrier"), request.user, pk=project_pk
    )
    form = bilans.form_for_project(project)
    if form is None or project.status != "approved":
        messages.info(request, "Aucun bilan n'est demandé pour ce projet.")
        return redirect("projects:detail", project.pk)
    can_fill = rules.can(request.user, "declarations.fill_bilan", project)
    if not can_fill and not rules.can(request.user, "declarations.view_bilans", project):
        raise PermissionDenied
    if can_fill and not bilans.is_open(form):
        messages.info(
            request, f"Le bilan s'ouvrira le {form.opens_on:%d/%m/%Y}, après l'année d'activité."
        )
        return redirect("projects:detail", project.pk)
    response = bilans.response_for(form, project) if can_fill else None
    if response is None:
        response = BilanResponse.objects.filter(form=form, project=project).first()
        if response is None:
            messages.info(request, "Le porteur n'a pas encore commencé ce bilan.")
            return redirect("projects:detail", project.pk)
    questions = list(form.questions.all())
    transmitted = response.status == BilanResponse.Status.SUBMITTED
    if request.method == "POST":
        if not can_fill:
            raise PermissionDenied
        if transmitted:
            messages.info(request, "Ce bilan est déjà transmis : il ne peut plus être modifié.")
            return redirect("declarations:bilan_fill", project.pk)
        transmit = "transmettre" in request.POST
        answers = bilans.AnswersForm(request.POST, questions=questions, final=transmit)
        if answers.is_valid():
            _, saved = bilans.save(response, answers, by=request.user, transmit=transmit)
            if saved:
                messages.success(
                    request,
                    "Votre bilan est transmis à la Caf. Merci."
                    if transmit
                    else "Votre brouillon est enregistré.",
                )
            return redirect("declarations:bilan_fill", project.pk)
        status = 400
    else:
        initial = {f"q{k}": v for k, v in response.answers.items()}
        answers = bilans.AnswersForm(initial=initial, questions=questions)
        status = 200
    sections = []
    for question in questions:
        field = answers[f"q{question.pk}"]
        if not sections or sections[-1][0] != question.section:
            sections.append((question.section, []))
        sections[-1][1].append((question, field, response.answers.get(str(question.pk))))
    return render(
        request,
        "declarations/bilan_fill.html",
        {
            "project": project,
            "bilan": form,
            "response": response,
            "sections": sections,
            "answers": answers,
            "editable": can_fill and not transmitted,
            "resources": resources_for(
                request.user, place=Resource.Place.BILAN, campaign=project.campaign
            ),
        },
        status=status,
    )


@require_POST
def bilan_mark_read(request, pk):
    response = get_visible_or_404(BilanResponse.objects.select_related("form"), request.user, pk=pk)
    _need(request, "declarations.view_bilans", response.form)
    if response.status == BilanResponse.Status.SUBMITTED and response.read_at is None:
        with transaction.atomic():
            response.read_at = timezone.now()
            response.read_by = request.user
            response._change_reason = "Bilan lu par la Caf"
            response.save(update_fields=["read_at", "read_by"])
    return redirect("declarations:bilan_admin", response.form.campaign_id)
