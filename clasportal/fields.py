"""Form fields the whole portal shares: French amounts (`1 234,56`) and counts, with their
French error messages."""

from decimal import Decimal

from django import forms

AMOUNT_ERRORS = {
    "invalid": "Saisissez un montant en euros, par exemple 1200,50.",
    "max_decimal_places": "Un montant a au plus deux décimales (centimes).",
    "max_digits": "Ce montant est trop élevé.",
    "min_value": "Un montant ne peut pas être négatif.",
}


class FrenchDecimalField(forms.DecimalField):
    """Accepts '1 234,56' as well as '1234.56'."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
            value = value.replace("€", "").replace(",", ".")
        return super().to_python(value)


def amount_field(label):
    return FrenchDecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages=AMOUNT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def count_field(label, *, min_value=0, max_value=999, required=True, initial=None):
    return forms.IntegerField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        required=required,
        initial=initial,
        error_messages={
            "required": "Ce champ est obligatoire.",
            "invalid": "Saisissez un nombre entier.",
            "min_value": f"La valeur doit être au moins {min_value}.",
            "max_value": f"La valeur doit être au plus {max_value}.",
        },
        widget=forms.NumberInput(attrs={"min": min_value, "max": max_value}),
    )
