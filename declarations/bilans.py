"""Bilans: the Caf's questionnaire per campaign, each approved project's answers, the renewal
rule, and the departmental bilan built from validated actual declarations and the answers."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction
from django.utils import timezone

from projects.completeness import Missing
from projects.models import Project, ProjectStatus, Situation

from .models import BilanForm, BilanQuestion, BilanResponse

# The indicators the seeds name, as a starting questionnaire the Caf administrator edits.
STARTER_QUESTIONS = (
    (
        "Enfants accompagnés",
        "Nombre d'enfants suivis sur l'année",
        "number",
        "",
        True,
        "children_followed",
    ),
    (
        "Enfants accompagnés",
        "Enfants ayant quitté l'action en cours d'année",
        "number",
        "",
        False,
        "",
    ),
    (
        "Parents",
        "Nombre de parents impliqués dans l'action",
        "number",
        "",
        True,
        "parents_involved",
    ),
    ("Parents", "Comment les parents ont-ils été associés ?", "text", "", False, ""),
    (
        "Relations avec l'école",
        "Qualité des relations avec les établissements scolaires",
        "scale",
        "",
        True,
        "school_relations",
    ),
    (
        "Relations avec l'école",
        "Rencontres avec les enseignants dans l'année",
        "number",
        "",
        False,
        "",
    ),
    (
        "Effets observés",
        "Évolution de la confiance en soi des enfants",
        "choice",
        "Nette amélioration\nLégère amélioration\nPas d'évolution\nDégradation",
        True,
        "outcomes",
    ),
    ("Effets observés", "Ce qui a bien fonctionné, ce qui est à revoir", "text", "", True, ""),
)


def create_form(campaign, *, by=None):
    """The campaign's questionnaire with the starter questions, opening on 1 July of the school
    year's end and due on 30 September (dates the Caf administrator changes)."""
    with transaction.atomic():
        form = BilanForm.objects.create(
            caf_id=campaign.caf_id,
            campaign=campaign,
            opens_on=datetime.date(campaign.year + 1, 7, 1),
            due_on=datetime.date(campaign.year + 1, 9, 30),
        )
        BilanQuestion.objects.bulk_create(
            BilanQuestion(
                form=form,
                section=section,
                position=index,
                text=text,
                kind=kind,
                choices=choices,
                required=required,
                indicator=indicator,
            )
            for index, (section, text, kind, choices, required, indicator) in enumerate(
                STARTER_QUESTIONS, start=1
            )
        )
    return form


def projects_expected(form):
    """The approved projects of the form's campaign: each owes a bilan."""
    return Project.objects.filter(campaign_id=form.campaign_id, status=ProjectStatus.APPROVED)


def form_for_project(project):
    try:
        return BilanForm.objects.select_related("campaign").get(campaign_id=project.campaign_id)
    except BilanForm.DoesNotExist:
        return None


def is_open(form, today=None):
    return form.opens_on <= (today or timezone.localdate())


# --- The carrier's answers ----------------------------------------------------------------------


class AnswersForm(forms.Form):
    """One field per question; a draft keeps whatever is typed, a transmission checks it all."""

    def __init__(self, *args, questions, final=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = _field(question, required=final and question.required)

    def answers(self):
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, ""):
                continue
            out[str(question.pk)] = str(value) if isinstance(value, Decimal) else value
        return out


NUMBER_ERRORS = {
    "invalid": "Saisissez un nombre entier.",
    "min_value": "Le nombre ne peut pas être négatif.",
    "max_value": "Le nombre doit être au plus %(limit_value)s.",
}


def _field(question, *, required):
    common = {
        "label": question.text,
        "help_text": question.help_text,
        "required": required,
        "error_messages": {"required": "Cette réponse est obligatoire pour transmettre."},
    }
    if question.kind == BilanQuestion.Kind.NUMBER:
        common["error_messages"].update(NUMBER_ERRORS)
        return forms.IntegerField(
            min_value=0,
            max_value=100_000,
            **common,
            widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        )
    if question.kind == BilanQuestion.Kind.SCALE:
        return forms.TypedChoiceField(
            choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
            coerce=int,
            empty_value=None,
            **common,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    if question.kind == BilanQuestion.Kind.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in question.choice_list],
            **common,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    return forms.CharField(
        max_length=5000,
        **common,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


def save(response, form, *, by, transmit):
    """Save the answers as a draft, or transmit them once (then read-only)."""
    with transaction.atomic():
        locked = BilanResponse.objects.select_for_update().get(pk=response.pk)
        if locked.status == BilanResponse.Status.SUBMITTED:
            return locked, False
        locked.answers = form.answers()
        if transmit:
            locked.status = BilanResponse.Status.SUBMITTED
            locked.submitted_at = timezone.now()
            locked.submitted_by = by
        locked._change_reason = "Bilan transmis" if transmit else "Brouillon enregistré"
        locked.save()
    return locked, True


def response_for(form, project):
    response, _ = BilanResponse.objects.get_or_create(form=form, project=project)
    return response


# --- The renewal rule ---------------------------------------------------------------------------


def last_bilan_missing(project):
    """A renewal is receivable only once the carrier's bilans of the previous campaign are
    transmitted, when the Caf made that bilan required."""
    if project.situation != Situation.RENEWAL:
        return []
    previous = (
        BilanForm.objects.filter(
            caf_id=project.campaign.caf_id,
            campaign__year__lt=project.campaign.year,
            required_for_renewal=True,
        )
        .select_related("campaign")
        .order_by("-campaign__year")
        .first()
    )
    if previous is None:
        return []
    owed = projects_expected(previous).filter(carrier_id=project.carrier_id)
    done = BilanResponse.objects.filter(
        form=previous, project__in=owed, status=BilanResponse.Status.SUBMITTED
    ).values_list("project_id", flat=True)
    missing = owed.exclude(pk__in=done)
    return [
        Missing(
            "pieces",
            f"Votre Caf demande le bilan {previous.campaign.school_year} avant tout "
            f"renouvellement : transmettez le bilan de « {p.title} » (attendu le "
            f"{previous.due_on:%d/%m/%Y}).",
        )
        for p in missing.order_by("title")
    ]


# --- The departmental bilan ---------------------------------------------------------------------


def aggregate_answers(form):
    """Per question, what the transmitted answers add up to: the sum and mean of numbers, the
    mean of a scale, the count of each choice, the number of text answers."""
    questions = list(form.questions.all())
    answers = list(
        form.responses.filter(status=BilanResponse.Status.SUBMITTED).values_list(
            "answers", flat=True
        )
    )
    rows = []
    for question in questions:
        values = [
            a.get(str(question.pk)) for a in answers if a.get(str(question.pk)) not in (None, "")
        ]
        row = {"question": question, "count": len(values)}
        if question.kind in (BilanQuestion.Kind.NUMBER, BilanQuestion.Kind.SCALE):
            numbers = []
            for value in values:
                try:
                    numbers.append(Decimal(str(value)))
                except InvalidOperation:
                    continue
            total = sum(numbers, Decimal("0"))
            row["total"] = total
            row["mean"] = (total / len(numbers)).quantize(Decimal("0.1")) if numbers else None
        elif question.kind == BilanQuestion.Kind.CHOICE:
            counts = Counter(values)
            row["counts"] = [(choice, counts.get(choice, 0)) for choice in question.choice_list]
        rows.append(row)
    sections = defaultdict(list)
    for row in rows:
        sections[row["question"].section].append(row)
    return list(sections.items()), len(answers)
