"""Forms of conventions: the request's length and following budgets, amendments, signature, the
Caf's rules, and the register's filters."""

from types import SimpleNamespace

from django import forms
from django.template.defaultfilters import pluralize

from clasportal.forms import StyledFormMixin
from clasportal.models import Territory
from funding.kinds import CarrierKind

from ..budget import BudgetForm
from ..conventions import budget_error, length_errors, max_length
from ..models import ConventionPolicy, Project

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class FollowingBudgetForm(BudgetForm):
    """The CERFA layout for one following year, kept as JSON on the request."""

    def __init__(self, *args, stored=(), **kwargs):
        self.stored = stored or []
        super().__init__(*args, **kwargs)

    def existing_lines(self):
        return [SimpleNamespace(account=a, financer=f, amount=v) for a, f, v in self.stored]

    def as_json(self):
        return [[account, financer, f"{amount:.2f}"] for account, financer, amount in self.lines()]


class ConventionRequestForm(StyledFormMixin, forms.ModelForm):
    """Step « La convention »: the length asked, its justification, the CTG exception, and the
    forecast budget of each following year."""

    convention_years = forms.TypedChoiceField(
        label="Durée de convention demandée",
        coerce=int,
        choices=[(n, f"{n} an{'s' if n > 1 else ''}") for n in range(1, 6)],
    )

    class Meta:
        model = Project
        fields = ["convention_years", "ctg_aligned", "convention_reason"]
        widgets = {"convention_reason": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.instance
        maximum, rule = max_length(
            project.carrier, project.campaign.year, ctg_aligned=project.ctg_aligned
        )
        self.fields["convention_years"].help_text = (
            f"Pour votre structure : {maximum} an{pluralize(maximum)} au plus ({rule}). Une convention commence le "
            f"1er septembre et se termine le 31 août."
        )
        self.fields[
            "convention_reason"
        ].help_text = "Obligatoire pour une convention pluriannuelle ou alignée sur la CTG."
        try:
            years = int(self.data.get("convention_years", project.convention_years))
        except (TypeError, ValueError):
            years = project.convention_years
        years = min(max(years, 1), 5)
        stored = project.following_budgets or []
        self.budgets = [
            FollowingBudgetForm(
                self.data or None,
                owner=project,
                prefix=f"annee{index}",
                stored=stored[index - 2] if len(stored) >= index - 1 else [],
            )
            for index in range(2, years + 1)
        ]
        for index, budget in enumerate(self.budgets, start=2):
            budget.title = (
                f"Budget prévisionnel de l'année {index}/{years} "
                f"({project.campaign.year + index - 1}/{project.campaign.year + index})"
            )

    def clean(self):
        data = super().clean()
        years = data.get("convention_years")
        if years is not None:
            for error in length_errors(
                self.instance,
                years=years,
                reason=data.get("convention_reason", ""),
                ctg_aligned=data.get("ctg_aligned", False),
            ):
                self.add_error("convention_years", error)
        return data

    def budgets_valid(self):
        valid = True
        for budget in self.budgets:
            if not budget.is_valid():
                valid = False
                continue
            error = budget_error(budget.as_json(), budget.title)
            if error:
                budget.add_error(None, error)
                valid = False
        return valid

    def save_draft(self):
        """Saves what is valid: a refused length is not saved, each budget as entered."""
        from clasportal.forms import save_valid_fields

        budgets_ok = self.budgets_valid()
        if self.is_valid():
            project = self.save()
        else:
            save_valid_fields(self)
            project = self.instance
        project.following_budgets = [b.as_json() for b in self.budgets]
        project.save(update_fields=["following_budgets"])
        return self.is_valid() and budgets_ok


class AmendmentForm(StyledFormMixin, forms.Form):
    date = forms.DateField(
        label="Date d'effet",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    reason = forms.CharField(label="Motif de l'avenant", widget=TEXTAREA, max_length=2000)
    years = forms.IntegerField(
        label="Nouvelle durée (années scolaires)", min_value=1, max_value=5, required=False
    )
    end_early = forms.BooleanField(
        label="Mettre fin à la convention à la fin de l'année en cours (le porteur cesse l'action)",
        required=False,
    )

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(convention.lines.filter(project__isnull=True).select_related("origin"))
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"Collectifs — {line.origin.title}, année {line.index}/{convention.years} "
                f"({line.school_year})",
                min_value=1,
                max_value=99,
                initial=line.agreed_collectives,
                required=False,
            )

    def collectives(self):
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        }


class SignatureForm(StyledFormMixin, forms.Form):
    signed_on = forms.DateField(
        label="Date de signature",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    signed_copy = forms.FileField(label="Exemplaire signé (PDF)", required=False)

    def clean_signed_copy(self):
        upload = self.cleaned_data.get("signed_copy")
        if upload is None:
            return None
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-" or upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("Joignez l'exemplaire signé en PDF (10 Mo au plus).")
        return upload


class ConventionPolicyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ConventionPolicy
        fields = [
            "max_years_cof",
            "max_years_social_centre",
            "min_prior_years",
            "allow_ctg_alignment",
            "mandatory_for_continuing",
            "template",
        ]
        widgets = {"template": forms.Textarea(attrs={"rows": 18})}

    def clean_template(self):
        from ..convention_pdf import template_error

        text = self.cleaned_data["template"]
        error = template_error(text)
        if error:
            raise forms.ValidationError(error)
        return text


class RegisterFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="Situation",
        required=False,
        choices=[
            ("", "Toutes"),
            ("running", "En cours"),
            ("ending", "Dernière année"),
            ("ended", "Terminées"),
        ],
    )
    territory = forms.ModelChoiceField(
        label="Territoire", queryset=Territory.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label="Statut du porteur", required=False, choices=[("", "Tous"), *CarrierKind.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.visible_to(user)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
