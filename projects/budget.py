"""The CERFA 12156 budget table: one component for the request's budget and for the
declarations' (each with its own lines), so other apps import it from here, not from a form
module of this app."""

from decimal import Decimal

from django import forms

from clasportal.fields import amount_field
from clasportal.forms import StyledFormMixin
from funding.accounts import CHARGE_ACCOUNTS
from funding.checks import cofinancing_shortfall

from .models import BudgetLine, Financer

PRODUCT_ACCOUNTS = (
    ("70", "70 – Ventes, prestations (participations des familles)"),
    ("73", "73 – Dotations et produits de tarification"),
    ("75", "75 – Autres produits de gestion courante (cotisations, dons)"),
    ("76", "76 – Produits financiers"),
    ("77", "77 – Produits exceptionnels"),
    ("78", "78 – Reprises sur amortissements et provisions"),
    ("870", "870 – Bénévolat"),
    ("871", "871 – Prestations en nature"),
    ("875", "875 – Dons en nature"),
)


def line_label(line):
    """A budget line in words (« 604 – Achats… », « 74 – Subvention : Caf »), never a bare code."""
    if line.financer:
        return f"74 – Subvention : {getattr(line, 'label', '') or Financer(line.financer).label}"
    labels = dict(CHARGE_ACCOUNTS) | dict(PRODUCT_ACCOUNTS)
    return labels.get(line.account, line.account)


# The Caf's own PS in the CERFA budget: the operating subsidy (74) whose financer is the Caf.
CAF_PS_LINE = ("74", Financer.CAF)


def cofinancing_totals(lines):
    """(charges, products other than the Caf's PS) of (account, financer, amount) lines: every
    charge (6x and contributions in kind 86x) against every product but the Caf's PS line, so
    the figures match the budget's totals the carrier sees."""
    charges = others = Decimal("0")
    for account, financer, amount in lines:
        if account.startswith(("6", "86")):
            charges += amount
        elif (account, financer) != CAF_PS_LINE:
            others += amount
    return charges, others


# Sections other apps add to the request's budget step, registered at start-up (the committee:
# the co-financers' schemes the request asks, issue 18). Each is a callable (project, data)
# returning None or an object with `locked_financers` (the subsidy lines it computes),
# `template_name`, `is_valid()` and `save()`.
SECTIONS = []


class BudgetForm(StyledFormMixin, forms.Form):
    """The CERFA 12156 budget: one field per charge account, per product account, per financer."""

    def __init__(
        self,
        *args,
        project=None,
        owner=None,
        line_model=BudgetLine,
        fk_name="project",
        policy=None,
        **kwargs,
    ):
        # The same layout serves the request's budget and the declarations' (their own lines).
        self.owner = owner if owner is not None else project
        # The Caf's rules (funding.checks.Policy) when the budget is a request's: its minimum
        # share of co-financing other than the Caf.
        self.policy = policy
        self.line_model, self.fk_name = line_model, fk_name
        super().__init__(*args, **kwargs)
        for account, label in CHARGE_ACCOUNTS:
            self.fields[f"charge_{account}"] = amount_field(label)
        for financer, label in Financer.choices:
            self.fields[f"subsidy_{financer}"] = amount_field(f"74 – Subvention : {label}")
        for account, label in PRODUCT_ACCOUNTS:
            self.fields[f"product_{account}"] = amount_field(label)
        self._apply_styles()
        for line in self.existing_lines():
            self.initial[self.field_name(line.account, line.financer)] = line.amount
        self.sections = []
        if type(self) is BudgetForm and line_model is BudgetLine and project is not None:
            self.sections = [
                s for s in (hook(project, self.data or None) for hook in SECTIONS) if s
            ]
        for section in self.sections:
            for financer in section.locked_financers:
                field = self.fields[f"subsidy_{financer}"]
                field.disabled = True
                field.help_text = "Somme des dispositifs demandés ci-dessous."

    def existing_lines(self):
        return self.line_model.objects.filter(**{self.fk_name: self.owner})

    def _apply_styles(self):
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    @staticmethod
    def field_name(account, financer=""):
        if account == "74":
            return f"subsidy_{financer or 'autre'}"
        if account.startswith(("6", "86")):
            return f"charge_{account}"
        return f"product_{account}"

    def charge_fields(self):
        return [self[f"charge_{a}"] for a, _ in CHARGE_ACCOUNTS]

    def subsidy_fields(self):
        return [self[f"subsidy_{f}"] for f, _ in Financer.choices]

    def product_fields(self):
        return [self[f"product_{a}"] for a, _ in PRODUCT_ACCOUNTS]

    def lines(self, valid_only=True):
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        for name, value in data.items():
            if value is None or (valid_only and name in self.errors):
                continue
            kind, key = name.split("_", 1)
            if kind == "subsidy":
                yield "74", key, value
            else:
                yield key, "", value

    def clean(self):
        data = super().clean()
        if self.policy is not None and not any(self.errors.values()):
            problem = cofinancing_shortfall(self.policy, *cofinancing_totals(self.lines()))
            if problem:
                # A form error, not a refusal to save: the amounts are kept (save() writes them)
                # and the deposit waits for enough co-financing (completeness).
                self.add_error(None, problem)
        if not all([section.is_valid() for section in self.sections]):
            self.add_error(
                None,
                "Un dispositif de cofinancement demandé est à corriger : voir le message "
                "à côté du champ, les autres saisies sont gardées.",
            )
        return data

    def save(self):
        """Writes every valid amount (an invalid one leaves its line as it was)."""
        existing = {(b.account, b.financer): b for b in self.existing_lines()}
        touched = set()
        for name in self.fields:
            if name in self.errors:
                touched.add(name)
        for account, financer, amount in self.lines():
            key = (account, financer)
            line = existing.pop(key, None)
            if line is None:
                self.line_model.objects.create(
                    **{self.fk_name: self.owner}, account=account, financer=financer, amount=amount
                )
            elif line.amount != amount:
                line.amount = amount
                line.save(update_fields=["amount"])
        for (account, financer), line in existing.items():
            if self.field_name(account, financer) not in touched:
                line.delete()  # emptied by the carrier
        for section in self.sections:
            section.save()
