from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie.",
        "inactive": "Ce compte est désactivé. Contactez votre Caf.",
    }


class StyledFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on the fields that carry an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            kind = getattr(widget, "input_type", None)
            css = {"checkbox": "form-check-input", "radio": "form-check-input"}.get(
                kind, "form-control"
            )
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                css = "form-select"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-describedby"] = f"err-{self.add_prefix(name)}"


def save_valid_fields(form):
    """An invalid step still keeps what is valid: save the model fields that passed validation."""
    instance = form.instance
    valid = [
        name
        for name in form.fields
        if name not in form.errors
        and name in form.cleaned_data
        and hasattr(instance, name)
        and not form.fields[name].disabled
    ]
    concrete = {f.name for f in instance._meta.concrete_fields}
    # Model validation may have put a refused value on the instance: take the stored one back.
    refused = [name for name in form.errors if name in concrete]
    if instance.pk and refused:
        stored = type(instance)._default_manager.filter(pk=instance.pk).values(*refused).first()
        for name, value in (stored or {}).items():
            setattr(instance, name, value)
    if not valid:
        return []
    from django.forms.models import construct_instance

    construct_instance(form, instance, fields=valid)
    fields = [name for name in valid if name in concrete]
    if instance.pk and fields:
        instance.save(update_fields=fields)
    return fields
