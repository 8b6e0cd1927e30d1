"""Forms of controls and visits: the control with one row per point of the Caf's checklist, the
consequence of a failed control, and the administrator's checklist."""

import datetime

from django import forms
from django.db.models import Max
from django.utils import timezone

from clasportal.forms import StyledFormMixin
from clasportal.rules import can, staff_of

from .models import Control, ControlChecklistItem
from .models.controls import DEFAULT_CHECKLIST

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "invalid": "Saisissez une date valide (jj/mm/aaaa).",
    "required": "Indiquez la date.",
}


class ControlForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Control
        fields = [
            "kind",
            "date",
            "controller",
            "result",
            "findings",
            "internal_note",
            "follow_up",
            "follow_up_due_on",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "follow_up_due_on": DATE_WIDGET,
            "findings": forms.Textarea(attrs={"rows": 3}),
            "internal_note": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "kind": {"required": "Choisissez la nature du contrôle."},
            "result": {"required": "Indiquez le résultat du contrôle."},
            "controller": {"required": "Indiquez qui a mené le contrôle."},
        }

    def __init__(self, *args, project, labels, **kwargs):
        """`labels`: the points to check (the Caf's list for a new control, the control's own
        points when it is edited)."""
        super().__init__(*args, **kwargs)
        self.project = project
        caf_id = project.campaign.caf_id
        # Whoever of the project's Caf may record a control (advisors, GC, administrator).
        people = staff_of(caf_id).select_related("staff_profile").order_by("last_name", "email")
        allowed = [p.pk for p in people if can(p, "declarations.record_control", project)]
        self.fields["controller"].queryset = people.filter(pk__in=allowed)
        self.fields["controller"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["date"].error_messages.update(DATE_ERRORS)
        self.fields["follow_up_due_on"].error_messages.update(DATE_ERRORS)
        existing = {}
        if self.instance.pk:
            existing = {c.label: c for c in self.instance.checks.all()}
        self.check_rows = []
        for index, label in enumerate(labels):
            check = existing.get(label)
            prefix = f"check_{index}"
            self.fields[f"{prefix}_status"] = forms.ChoiceField(
                label=label,
                choices=[
                    ("ok", "Conforme"),
                    ("not_ok", "Non conforme"),
                    ("not_checked", "Non vérifié"),
                ],
                initial=check.status if check else "not_checked",
                widget=forms.RadioSelect,
                error_messages={"required": "Indiquez le constat sur ce point."},
            )
            self.fields[f"{prefix}_comment"] = forms.CharField(
                label=f"Commentaire — {label}",
                required=False,
                initial=check.comment if check else "",
                max_length=2000,
            )
            self.fields[f"{prefix}_shared"] = forms.BooleanField(
                label="Commentaire communiqué au porteur",
                required=False,
                initial=check.comment_shared if check else False,
            )
            self.check_rows.append((label, prefix))
        # The mixin styled the fields it found at init; these rows came after.
        for name, field in self.fields.items():
            if name.startswith("check_"):
                widget = field.widget
                kind = getattr(widget, "input_type", None)
                css = "form-check-input" if kind in ("checkbox", "radio") else "form-control"
                widget.attrs.setdefault("class", css)

    @property
    def check_fields(self):
        return [
            (label, self[f"{prefix}_status"], self[f"{prefix}_comment"], self[f"{prefix}_shared"])
            for label, prefix in self.check_rows
        ]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Un contrôle se date du jour où il a eu lieu, pas après.")
        if date < datetime.date(2000, 1, 1):
            raise forms.ValidationError("Saisissez une date valide (jj/mm/aaaa).")
        return date

    def clean(self):
        data = super().clean()
        result = data.get("result")
        statuses = [data.get(f"{prefix}_status") for _, prefix in self.check_rows]
        if result == Control.Result.COMPLIANT and "not_ok" in statuses:
            self.add_error(
                "result",
                "Un point est non conforme : le contrôle ne peut pas être « Conforme ».",
            )
        if (
            result in (Control.Result.MINOR, Control.Result.FAILED)
            and not (data.get("findings") or "").strip()
        ):
            self.add_error("findings", "Décrivez les constats du contrôle.")
        if data.get("follow_up_due_on") and not (data.get("follow_up") or "").strip():
            self.add_error("follow_up", "Dites ce que le porteur doit faire avant cette date.")
        return data

    def checks(self):
        return [
            {
                "label": label,
                "status": self.cleaned_data[f"{prefix}_status"],
                "comment": self.cleaned_data[f"{prefix}_comment"].strip(),
                "comment_shared": self.cleaned_data[f"{prefix}_shared"],
            }
            for label, prefix in self.check_rows
        ]

    def control_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsequenceForm(StyledFormMixin, forms.Form):
    consequence = forms.ChoiceField(
        label="Suite donnée au contrôle non conforme",
        choices=Control.Consequence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez la suite donnée au contrôle."},
    )
    note = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Motivez la suite donnée au contrôle."},
    )


class ChecklistItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ControlChecklistItem
        fields = ["label", "position", "is_active"]
        error_messages = {"label": {"required": "Nommez le point à contrôler."}}

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, **kwargs)
        self.caf = caf
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new point is used in the next controls
            last = caf.control_checklist.aggregate(Max("position"))["position__max"]
            self.fields["position"].initial = (last or len(DEFAULT_CHECKLIST)) + 1

    def clean_label(self):
        label = self.cleaned_data["label"].strip()
        same = self.caf.control_checklist.filter(label__iexact=label)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError("Ce point est déjà dans la grille de la Caf.")
        return label
