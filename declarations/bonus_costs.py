"""The bonus part of a declaration (SPEC §4.3, Loire guide « Les bonifications »): for each
granted bonus, its extra costs and the collectives it concerns; the actual declaration needs the
invoices when the Caf asks for them (`CafPolicy.bonus_invoices_required`).

The forecast starts from the request's figures, the actual from the forecast's; only granted
bonuses have a part (a bonus not granted cannot appear in a declaration)."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst

from clasportal.fields import amount_field
from clasportal.forms import StyledFormMixin
from funding.models import CafPolicy

from .errors import DeclarationError
from .models import BonusCosts, Declaration, DeclarationDocument

ZERO = Decimal("0")
CHILDREN_COSTS = ("children_equipment_cost", "children_speakers_cost", "children_outings_cost")
PARENTS_COSTS = ("parents_speakers_cost",)
# Where the forecast's first figures come from: the request's bonus part.
FROM_REQUEST = {
    "children_equipment_cost": "bonus_children_equipment_cost",
    "children_speakers_cost": "bonus_children_speakers_cost",
    "children_outings_cost": "bonus_children_outings_cost",
    "parents_speakers_cost": "bonus_parents_speakers_cost",
    "parents_specific_actions": "bonus_parents_specific_actions",
}
WHICH = {"children": "enfants", "parents": "parents"}


def granted(declaration):
    from .services import granted_bonuses

    children, parents = granted_bonuses(declaration.project)
    return [w for w, g in (("children", children), ("parents", parents)) if g]


def stored(declaration):
    return BonusCosts.objects.filter(declaration=declaration).first()


def starting_values(declaration):
    """The figures shown before the carrier saves any: the forecast's for an actual, the
    request's for a forecast."""
    if declaration.is_actual:
        forecast = Declaration.objects.filter(
            project=declaration.project_id, kind=Declaration.Kind.FORECAST
        ).first()
        source = stored(forecast) if forecast else None
        if source is not None:
            return {
                name: getattr(source, name)
                for name in (*CHILDREN_COSTS, *PARENTS_COSTS, "parents_specific_actions")
            } | {
                "children_collectives": source.children_collectives,
                "parents_collectives": source.parents_collectives,
            }
        return {}
    project = declaration.project
    return {name: getattr(project, field) for name, field in FROM_REQUEST.items()}


class BonusCostsForm(StyledFormMixin, forms.Form):
    """One part per granted bonus; no field at all when none is granted."""

    def __init__(self, data=None, *, declaration):
        self.declaration = declaration
        self.bonuses = granted(declaration)
        self.invoices_required = bool(self.bonuses) and invoices_required(declaration)
        instance = stored(declaration)
        initial = (
            {
                name: getattr(instance, name)
                for name in (
                    *CHILDREN_COSTS,
                    *PARENTS_COSTS,
                    "parents_specific_actions",
                    "children_collectives",
                    "parents_collectives",
                )
            }
            if instance
            else starting_values(declaration)
        )
        initial = {
            k: [str(n) for n in v] if k.endswith("_collectives") else v for k, v in initial.items()
        }
        super().__init__(data, initial=initial, prefix="bonus")
        numbers = [(str(n), f"Collectif {n}") for n in range(1, declaration.collectives + 1)]
        for which in self.bonuses:
            names = CHILDREN_COSTS if which == "children" else PARENTS_COSTS
            for name in names:
                self.fields[name] = amount_field(
                    capfirst(BonusCosts._meta.get_field(name).verbose_name)
                )
                self.fields[name].widget.attrs["class"] = "form-control"
            if which == "parents":
                self.fields["parents_specific_actions"] = forms.CharField(
                    label=capfirst(
                        BonusCosts._meta.get_field("parents_specific_actions").verbose_name
                    ),
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                )
            self.fields[f"{which}_collectives"] = forms.MultipleChoiceField(
                label=f"Collectifs concernés par le bonus « {WHICH[which]} »",
                choices=numbers,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Ce collectif n'existe pas dans la déclaration."},
            )

    def parts(self):
        """(title, cost fields, collectives field, other fields) for each granted bonus."""
        result = []
        for which in self.bonuses:
            names = CHILDREN_COSTS if which == "children" else PARENTS_COSTS
            others = [self["parents_specific_actions"]] if which == "parents" else []
            result.append(
                (
                    f"Bonus « {WHICH[which]} »",
                    [self[n] for n in names],
                    self[f"{which}_collectives"],
                    others,
                )
            )
        return result

    def clean(self):
        data = super().clean()
        for which in self.bonuses:
            chosen = data.get(f"{which}_collectives") or []
            declared = getattr(self.declaration, f"bonus_{which}_collectives")
            if chosen and len(chosen) != declared:
                self.add_error(
                    f"{which}_collectives",
                    f"Cochez {declared} collectif{'s' if declared > 1 else ''} : le nombre de "
                    f"collectifs concernés déclaré dans l'activité.",
                )
        return data

    def save_valid(self):
        """Saves the parts that validated (as the declaration form does); the others keep their
        previous value."""
        if not self.bonuses:
            return None
        self.is_valid()
        costs = stored(self.declaration) or BonusCosts(
            declaration=self.declaration, **_defaults(self.declaration)
        )
        for name in self.fields:
            if name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if name.endswith("_collectives"):
                value = sorted(int(n) for n in value or [])
            elif name != "parents_specific_actions":
                value = value or ZERO
            setattr(costs, name, value)
        costs.save()
        return costs


def _defaults(declaration):
    values = starting_values(declaration)
    return {
        k: v
        for k, v in values.items()
        if k in {f.name for f in BonusCosts._meta.get_fields()} and v is not None
    }


def extra_costs(declaration):
    """The declared extra cost of each granted bonus, for the pages and the checks."""
    costs = stored(declaration)
    if costs is None:
        return ZERO
    total = ZERO
    bonuses = granted(declaration)
    if "children" in bonuses:
        total += costs.children_total
    if "parents" in bonuses:
        total += costs.parents_total
    return total


def invoices_required(declaration):
    return CafPolicy.of(declaration.project.campaign.caf).bonus_invoices_required


def check_before_submit(declaration):
    """Loire guide: the invoices of the bonus costs come before the actual declaration — when
    the Caf asks for them, an actual declaring an extra cost is sent with at least one."""
    if not declaration.is_actual or not extra_costs(declaration):
        return
    if not invoices_required(declaration):
        return
    has_invoice = DeclarationDocument.objects.filter(
        declaration=declaration, kind=DeclarationDocument.Kind.INVOICE
    ).exists()
    if not has_invoice:
        raise DeclarationError(
            "Joignez les factures des surcoûts des bonus (rubrique « Factures et bilan ») "
            "avant de transmettre : votre Caf les demande avec la déclaration réelle."
        )


def summary(declaration):
    """What the GC reads: each granted bonus with its collectives and costs, and the invoices."""
    bonuses = granted(declaration)
    if not bonuses:
        return None
    costs = stored(declaration)
    parts = []
    for which in bonuses:
        names = CHILDREN_COSTS if which == "children" else PARENTS_COSTS
        parts.append(
            {
                "title": f"Bonus « {WHICH[which]} »",
                "declared": getattr(declaration, f"bonus_{which}_collectives"),
                "collectives": getattr(costs, f"{which}_collectives") if costs else [],
                "costs": [
                    (
                        BonusCosts._meta.get_field(n).verbose_name,
                        getattr(costs, n) if costs else ZERO,
                    )
                    for n in names
                ],
                "actions": costs.parents_specific_actions if costs and which == "parents" else "",
            }
        )
    invoices = DeclarationDocument.objects.filter(
        declaration=declaration, kind=DeclarationDocument.Kind.INVOICE
    ).count()
    return {
        "parts": parts,
        "invoices": invoices,
        "invoices_required": invoices_required(declaration),
    }
