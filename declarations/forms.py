from django import forms

from clasportal.forms import StyledFormMixin

from .models import Declaration

ACTIVITY = [
    "collectives",
    "weeks",
    "weeks_sept_dec",
    "weeks_jan_aug",
    "sessions_per_week",
    "bonus_children_collectives",
    "bonus_parents_collectives",
]
BILAN = [
    "children_elementaire",
    "children_college",
    "children_lycee",
    "children_hors_filiere",
    "girls",
    "boys",
    "qpv_residents",
    "families",
    "parents_reached",
    "sessions_held",
    "presences",
    "staff_fte_paid",
    "staff_fte_volunteer",
    "staff_hours",
    "actions_run",
]
NUMBER_ERRORS = {
    "invalid": "Saisissez un nombre.",
    "min_value": "La valeur doit être au moins %(limit_value)s.",
    "max_value": "La valeur doit être au plus %(limit_value)s.",
    "required": "Ce champ est obligatoire.",
}


class DeclarationForm(StyledFormMixin, forms.ModelForm):
    """Activity, children per collective and, for the actual declaration, the bilan figures."""

    class Meta:
        model = Declaration
        fields = ACTIVITY + BILAN
        widgets = {"actions_run": forms.Textarea(attrs={"rows": 3})}
        localized_fields = ("staff_fte_paid", "staff_fte_volunteer")

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, instance=declaration, **kwargs)
        if not declaration.is_actual:
            for name in BILAN:
                del self.fields[name]
        agreed = declaration.project.agreed_collectives or declaration.collectives
        self.children_names = []
        for index in range(max(agreed, declaration.collectives)):
            name = f"children_{index + 1}"
            self.fields[name] = forms.IntegerField(
                label=f"Enfants inscrits, collectif {index + 1}",
                min_value=0,
                max_value=99,
                required=False,
                error_messages=NUMBER_ERRORS,
                widget=forms.NumberInput(attrs={"class": "form-control", "min": 0}),
            )
            self.children_names.append(name)
            if not self.is_bound and index < len(declaration.children or []):
                self.initial[name] = declaration.children[index]
        for field in self.fields.values():
            field.error_messages.update(
                {
                    k: v
                    for k, v in NUMBER_ERRORS.items()
                    if k in field.error_messages or k == "invalid"
                }
            )

    def activity_fields(self):
        return [self[n] for n in ACTIVITY]

    def bilan_fields(self):
        return [self[n] for n in BILAN if n in self.fields]

    def children_fields(self):
        return [self[n] for n in self.children_names]

    def children_values(self):
        data = self.cleaned_data
        collectives = data.get("collectives") or self.instance.collectives
        values = [data.get(n) for n in self.children_names[:collectives]]
        return [v for v in values if v is not None]

    def save_valid(self):
        """Saves every field that validated; the others keep their previous value."""
        from clasportal.forms import save_valid_fields

        if self.is_valid():
            declaration = self.save(commit=False)
            declaration.children = self.children_values()
            declaration.save()
            return declaration
        save_valid_fields(self)
        declaration = self.instance
        if not any(n in self.errors for n in self.children_names):
            declaration.children = self.children_values()
            declaration.save(update_fields=["children"])
        return declaration


class ReturnForm(StyledFormMixin, forms.Form):
    message = forms.CharField(
        label="Ce que le porteur doit corriger",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Nature",
        choices=[
            ("invoice", "Facture (surcoût des bonus)"),
            ("bilan", "Bilan de l'action"),
            ("other", "Autre document"),
        ],
    )
    file = forms.FileField(label="Fichier", error_messages={"required": "Choisissez un fichier."})


class JustificationDecisionForm(StyledFormMixin, forms.Form):
    """The GC's decision on one justification: accepted, or rejected with its effect."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accept", "Acceptée"), ("reject", "Rejetée")],
        widget=forms.HiddenInput,  # the button pressed: « Accepter » or « Rejeter… »
        error_messages={"required": "Choisissez d'accepter ou de rejeter la justification."},
    )
    effect = forms.ChoiceField(label="Conséquence du rejet", required=False)
    collectives = forms.CharField(
        label="Collectif(s) n°",
        required=False,
        max_length=40,
        help_text="Dans l'ordre de la déclaration : « 2 », ou « 2, 3 ».",
    )
    value = forms.IntegerField(
        label="Valeur retenue",
        required=False,
        min_value=0,
        max_value=99,
        help_text="Semaines retenues, ou enfants retenus pour le collectif.",
        error_messages=NUMBER_ERRORS,
    )
    bonus = forms.ChoiceField(label="Bonus retiré", required=False)
    note = forms.CharField(
        label="Commentaire au porteur", required=False, max_length=2000, widget=forms.TextInput
    )

    def __init__(self, *args, justification=None, **kwargs):
        from .consequences import BONUSES, EFFECTS, NATURAL_EFFECT

        if justification is not None:  # one form per justification on the page: distinct ids
            kwargs.setdefault("auto_id", f"j{justification.pk}-%s")

        if justification is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "decision": {"accepted": "accept", "rejected": "reject"}.get(justification.status),
                "effect": justification.effect or NATURAL_EFFECT.get(justification.code, ""),
                "collectives": ", ".join(map(str, justification.effect_collectives or [])),
                "value": justification.effect_value,
                "bonus": justification.effect_bonus,
                "note": justification.decision_note,
            }
        super().__init__(*args, **kwargs)
        self.fields["effect"].choices = EFFECTS
        self.fields["bonus"].choices = [("", "—"), *BONUSES]
        self.justification = justification

    def clean_collectives(self):
        from .consequences import collective_numbers

        try:
            return collective_numbers(self.cleaned_data.get("collectives"))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class RejectionAnswerForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label="Votre réponse (une seule possible)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez votre réponse avant de l'envoyer."},
    )


class AgreementChangeForm(StyledFormMixin, forms.Form):
    """The committee suspends, lifts or withdraws an agrément during the year (issue 17)."""

    ACTIONS = [
        ("suspend", "Suspendre l'agrément"),
        ("lift_suspension", "Lever la suspension"),
        ("withdraw", "Retirer l'agrément"),
    ]
    action = forms.ChoiceField(
        label="Décision",
        choices=ACTIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la décision.",
            "invalid_choice": "Décision inconnue.",
        },
    )
    effective_on = forms.DateField(
        label="À compter du",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Indiquez la date.", "invalid": "Saisissez une date valide."},
    )
    weeks_run = forms.IntegerField(
        label="Semaines d'activité réalisées avant le retrait",
        required=False,
        min_value=0,
        max_value=53,
        help_text="Pour un retrait : le droit de l'année est proratisé à ces semaines.",
        error_messages=NUMBER_ERRORS,
    )
    reason = forms.CharField(
        label="Motif (lu par le porteur)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Motivez la décision : le porteur lit ce motif."},
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [c for c in self.ACTIONS if c[0] in allowed]

    def clean(self):
        data = super().clean()
        if data.get("action") == "withdraw" and data.get("weeks_run") is None:
            self.add_error(
                "weeks_run", "Indiquez les semaines réalisées : le droit y est proratisé."
            )
        return data


class RecoverySettleForm(StyledFormMixin, forms.Form):
    ACTIONS = [
        ("offset_recovery", "Récupéré sur le prochain paiement"),
        ("repay_recovery", "Remboursé par le porteur"),
        ("cancel_recovery", "Annuler l'indu"),
    ]
    action = forms.ChoiceField(
        choices=ACTIONS, error_messages={"invalid_choice": "Action inconnue."}
    )
    note = forms.CharField(label="Commentaire", max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "cancel_recovery" and not (data.get("note") or "").strip():
            self.add_error("note", "Un indu annulé doit être motivé.")
        return data
