"""The co-financers' schemes in the request's budget step (issue 18): one small form per scheme
open to the project's campaign, registered as a section of `projects.budget.BudgetForm`. What is
asked sets the partner's line 74 of the budget (`cofinancing.sync_budget_lines`)."""

from django import forms
from django.db.models import Q

from clasportal.fields import AMOUNT_ERRORS, FrenchDecimalField, count_field
from clasportal.forms import StyledFormMixin

from . import cofinancing
from .financers import FinancingScheme, SchemeRequest

Rule = FinancingScheme.Rule


class SchemeRequestForm(StyledFormMixin, forms.Form):
    asked = forms.BooleanField(required=False)
    collectives = count_field("Collectifs concernés", min_value=1, max_value=99, required=False)
    amount = FrenchDecimalField(
        label="Montant demandé (€)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages=AMOUNT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    parents_digital_action = forms.CharField(
        label="Votre action parents sur la scolarité numérique",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, project, scheme, existing=None, **kwargs):
        self.project, self.scheme, self.existing = project, scheme, existing
        if existing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "asked": True,
                    "collectives": existing.collectives or None,
                    "amount": existing.amount / existing.collectives
                    if scheme.rule == Rule.PER_COLLECTIVE and existing.collectives
                    else existing.amount,
                    "parents_digital_action": existing.parents_digital_action,
                },
            )
        super().__init__(*args, prefix=f"scheme{scheme.pk}", **kwargs)
        self.fields["asked"].label = (
            f"Je demande le forfait de {scheme.rule_text}"
            if scheme.rule == Rule.PER_CARRIER
            else f"Je demande « {scheme.name} »"
        )
        if scheme.rule == Rule.PER_CARRIER:
            del self.fields["amount"]
        if scheme.rule != Rule.PER_COLLECTIVE:
            del self.fields["collectives"]
        else:
            self.fields["amount"].label = "Montant demandé par collectif (€)"
        if not scheme.requires_parents_digital:
            del self.fields["parents_digital_action"]

    def clean(self):
        data = super().clean()
        if data.get("asked") and not self.errors:
            try:
                cofinancing.check_request(
                    self.project,
                    self.scheme,
                    collectives=data.get("collectives") or 0,
                    amount=data.get("amount"),
                    parents_digital_action=data.get("parents_digital_action", ""),
                )
            except cofinancing.FinancerError as exc:
                field = exc.field if exc.field in self.fields else None
                self.add_error(field, exc.message)
        return data

    def save(self):
        if not self.is_valid():
            return  # an invalid request stays as it was stored
        data = self.cleaned_data
        cofinancing.save_request(
            self.project,
            self.scheme,
            asked=data["asked"],
            collectives=data.get("collectives") or 0,
            amount=data.get("amount"),
            parents_digital_action=data.get("parents_digital_action", ""),
        )


class SchemesSection:
    """The budget step's « Dispositifs des cofinanceurs » section."""

    template_name = "committee/_scheme_requests.html"

    def __init__(self, project, data, schemes):
        self.project = project
        existing = {r.scheme_id: r for r in SchemeRequest.objects.filter(project=project)}
        self.forms = [
            SchemeRequestForm(data, project=project, scheme=s, existing=existing.get(s.pk))
            for s in schemes
        ]
        self.locked_financers = cofinancing.requested_financers(project)

    def __iter__(self):
        return iter(self.forms)

    def is_valid(self):
        return all([form.is_valid() for form in self.forms])

    def save(self):
        for form in self.forms:
            form.save()
        cofinancing.sync_budget_lines(self.project)


def budget_section(project, data):
    schemes = list(cofinancing.schemes_open_to(project))
    if not schemes and not SchemeRequest.objects.filter(project=project).exists():
        return None
    return SchemesSection(project, data, schemes)


def scheme_documents(project):
    """The documents the schemes a request asks require (the CD's summary sheet of the TNE
    bonus): required for the deposit like the Caf's own (a subquery, no query of its own)."""
    return Q(
        pk__in=SchemeRequest.objects.filter(
            project=project, scheme__required_document__isnull=False
        ).values("scheme__required_document")
    )
