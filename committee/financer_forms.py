"""Forms of the co-financers (issue 18): a financer's decision on an agenda item, a scheme, an
envelope. Choices are computed once per page and passed in (no query per agenda row)."""

from django import forms

from clasportal.fields import AMOUNT_ERRORS, FrenchDecimalField
from clasportal.forms import StyledFormMixin

from .financers import FinancerDecision, FinancingScheme
from .models import PartnerOrganisation


def euro_field(label, required=False):
    return FrenchDecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages=AMOUNT_ERRORS | {"required": "Indiquez le montant."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def funding_choices(partners, schemes):
    """« MSA Lorraine — Grandir en milieu rural » per scheme, « MSA Lorraine (hors dispositif) »
    per partner: values `s<id>` and `p<id>`."""
    choices = [("", "— Financeur et dispositif —")]
    for partner in partners:
        for scheme in schemes:
            if scheme.partner_id == partner.pk:
                choices.append((f"s{scheme.pk}", f"{partner.name} — {scheme.name}"))
        choices.append((f"p{partner.pk}", f"{partner.name} (hors dispositif)"))
    return choices


class FinancerDecisionForm(StyledFormMixin, forms.Form):
    funding = forms.ChoiceField(
        label="Financeur",
        error_messages={
            "required": "Choisissez le financeur et son dispositif.",
            "invalid_choice": "Choisissez un financeur de la liste.",
        },
    )
    outcome = forms.ChoiceField(
        label="Décision du financeur",
        choices=FinancerDecision.Outcome.choices,
        widget=forms.RadioSelect,
        initial=FinancerDecision.Outcome.GRANTED,
        error_messages={"required": "Indiquez la décision du financeur."},
    )
    amount = euro_field("Montant accordé (€)")
    note = forms.CharField(label="Précision", max_length=255, required=False)

    def __init__(self, *args, choices, partners, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding"].choices = choices
        self.partners = {p.pk: p for p in partners}
        self.schemes = {s.pk: s for s in schemes}

    def clean(self):
        data = super().clean()
        code = data.get("funding") or ""
        if code.startswith("s"):
            scheme = self.schemes[int(code[1:])]
            data["scheme"], data["partner"] = scheme, self.partners[scheme.partner_id]
        elif code.startswith("p"):
            data["scheme"], data["partner"] = None, self.partners[int(code[1:])]
        if data.get("outcome") == FinancerDecision.Outcome.GRANTED and data.get("amount") is None:
            self.add_error("amount", "Indiquez le montant accordé.")
        return data


class SchemeForm(StyledFormMixin, forms.ModelForm):
    amount = euro_field("Forfait par porteur (€)")
    minimum = euro_field("Minimum (€) — par collectif, ou du montant libre")
    maximum = euro_field("Maximum par collectif (€)")

    class Meta:
        model = FinancingScheme
        fields = [
            "partner",
            "campaign",
            "name",
            "rule",
            "amount",
            "minimum",
            "maximum",
            "conditions",
            "requires_rural_or_fragile",
            "requires_parents_digital",
            "required_document",
            "is_active",
        ]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partners, campaigns, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["partner"].empty_label = None
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = None
        self.fields["required_document"].queryset = documents
        self.fields["required_document"].empty_label = "Aucune"

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        Rule = FinancingScheme.Rule
        if rule == Rule.PER_CARRIER and not data.get("amount"):
            self.add_error("amount", "Un forfait par porteur a un montant.")
        if rule == Rule.PER_COLLECTIVE:
            low, high = data.get("minimum"), data.get("maximum")
            if low is None:
                self.add_error("minimum", "Indiquez le minimum par collectif.")
            if high is None:
                self.add_error("maximum", "Indiquez le maximum par collectif.")
            if low is not None and high is not None and high < low:
                self.add_error("maximum", "Le maximum doit être au moins égal au minimum.")
        if rule == Rule.FREE_MINIMUM and data.get("minimum") is None:
            self.add_error("minimum", "Indiquez le minimum du montant libre.")
        # Only the amounts of its rule are kept.
        if rule != Rule.PER_CARRIER:
            data["amount"] = None
        if rule not in (Rule.PER_COLLECTIVE, Rule.FREE_MINIMUM):
            data["minimum"] = None
        if rule != Rule.PER_COLLECTIVE:
            data["maximum"] = None
        return data

    def _post_clean(self):
        for name in ("amount", "minimum", "maximum"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()


class EnvelopeForm(StyledFormMixin, forms.Form):
    financer = forms.ChoiceField(
        label="Financeur",
        error_messages={"invalid_choice": "Choisissez un financeur de la liste."},
    )
    amount = euro_field("Enveloppe de la campagne (€)", required=True)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {str(p.pk): p for p in partners}
        self.fields["financer"].choices = [("caf", "La Caf (prestation de service)")] + [
            (str(p.pk), p.name) for p in partners
        ]

    def partner(self):
        code = self.cleaned_data["financer"]
        return None if code == "caf" else self.partners[code]


def decision_form_kit(user, session, partners=None):
    """The partners and schemes a financer decision may name, read once per page (`partners`:
    the person's visible partners by name, when the page has read them already)."""
    if partners is None:
        partners = PartnerOrganisation.objects.visible_to(user).order_by("name")
    partners = [partner for partner in partners if partner.is_active]
    schemes = list(
        FinancingScheme.objects.visible_to(user)
        .filter(campaign_id=session.campaign_id)
        .order_by("name")
    )
    return {
        "choices": funding_choices(partners, schemes),
        "partners": partners,
        "schemes": schemes,
    }
