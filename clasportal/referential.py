"""The Caf administrator's referential, from screens: territories (and their advisors) and
communes (INSEE code, postcode, territory, rural / ZRR / QPV flags), edited one by one or
imported from a CSV or XLSX file. Every change is traced in the models' history."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from . import communes_import, rules
from .forms import StyledFormMixin
from .models import Commune, StaffProfile, Territory
from .scoping import get_visible_or_404

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "clas_commune_import"


def _admin_caf(request):
    if not request.user.has_perm("referential.manage"):
        raise PermissionDenied
    return request.user.caf


def _advisor_profiles(user):
    advisors = rules.advisors_of(rules.staff_caf_id(user), None)
    return (
        StaffProfile.objects.visible_to(user)
        .filter(user__in=advisors)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


# --- Territories ---------------------------------------------------------------------------------


class TerritoryForm(StyledFormMixin, forms.ModelForm):
    advisors = forms.ModelMultipleChoiceField(
        label="Conseillers du territoire",
        queryset=StaffProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les projets des porteurs du territoire leur arrivent en premier.",
    )

    class Meta:
        model = Territory
        fields = ["name"]
        labels = {"name": "Nom du territoire"}
        error_messages = {"name": {"required": "Donnez un nom au territoire."}}

    def __init__(self, *args, caf, advisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.caf = caf
        self.instance.caf = caf
        self.fields["advisors"].queryset = advisors
        self.fields["advisors"].label_from_instance = lambda p: (
            p.user.get_full_name() or str(p.user)
        )
        if self.instance.pk:
            self.fields["advisors"].initial = list(self.instance.advisors.all())

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def validate_unique(self):
        try:
            self.instance.validate_constraints()
        except ValidationError:
            self.add_error("name", "Un territoire de votre Caf porte déjà ce nom.")


@transaction.atomic
def _save_territory(form):
    territory = form.save()
    chosen = set(form.cleaned_data["advisors"])
    offered = set(form.fields["advisors"].queryset)
    # From the profile's side, so each advisor's history shows the territory gained or lost.
    for profile in offered:
        has = profile.territories.filter(pk=territory.pk).exists()
        if profile in chosen and not has:
            profile.territories.add(territory)
        elif profile not in chosen and has:
            profile.territories.remove(territory)
    return territory


@require_http_methods(["GET", "POST"])
def territory_list(request):
    caf = _admin_caf(request)
    advisors = _advisor_profiles(request.user)
    form = TerritoryForm(request.POST or None, caf=caf, advisors=advisors)
    if request.method == "POST" and form.is_valid():
        territory = _save_territory(form)
        messages.success(request, f"Territoire « {territory.name} » créé.")
        return redirect("territory_list")
    territories = (
        Territory.objects.visible_to(request.user)
        .annotate(communes_count=Count("communes", distinct=True))
        .prefetch_related("advisors__user")
        .order_by("name")
    )
    return render(
        request,
        "referential/territories.html",
        {"caf": caf, "territories": territories, "form": form},
    )


@require_http_methods(["GET", "POST"])
def territory_edit(request, pk):
    caf = _admin_caf(request)
    territory = get_visible_or_404(Territory, request.user, pk=pk)
    form = TerritoryForm(
        request.POST or None,
        instance=territory,
        caf=caf,
        advisors=_advisor_profiles(request.user),
    )
    if request.method == "POST" and form.is_valid():
        _save_territory(form)
        messages.success(request, f"Territoire « {territory.name} » enregistré.")
        return redirect("territory_list")
    return render(
        request,
        "referential/territory_edit.html",
        {
            "territory": territory,
            "form": form,
            "communes_count": territory.communes.count(),
            "history": territory.history.select_related("history_user")[:10],
        },
    )


@require_POST
def territory_delete(request, pk):
    _admin_caf(request)
    territory = get_visible_or_404(Territory, request.user, pk=pk)
    communes = territory.communes.count()
    advisors = territory.advisors.count()
    if communes or advisors:
        messages.error(
            request,
            f"« {territory.name} » n'est pas vide ({communes} commune{pluralize(communes)}, {advisors} "
            f"conseiller{pluralize(advisors)}) : rattachez ses communes et ses conseillers à un autre territoire "
            "avant de le supprimer.",
        )
        return redirect("territory_edit", pk=territory.pk)
    name = territory.name
    territory._change_reason = f"Supprimé par {request.user}"
    territory.delete()
    messages.success(request, f"Territoire « {name} » supprimé.")
    return redirect("territory_list")


# --- Communes ------------------------------------------------------------------------------------


class CommuneForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Commune
        fields = ["insee_code", "name", "postcode", "territory", "is_rural", "is_zrr", "is_qpv"]
        help_texts = {
            "insee_code": "5 chiffres (2A ou 2B puis 3 chiffres en Corse) ; ce n'est pas le code "
            "postal.",
            "is_rural": "Un collectif qui se tient dans une commune rurale suit les règles "
            "rurales de la Caf.",
        }
        error_messages = {
            "name": {"required": "Le nom de la commune est obligatoire."},
            "insee_code": {"required": "Le code INSEE est obligatoire."},
        }

    def __init__(self, *args, territories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["territory"].empty_label = "Aucun territoire"
        if self.instance.pk:
            # The INSEE code identifies the commune (imports match on it): it does not change.
            self.fields["insee_code"].disabled = True

    def clean_insee_code(self):
        code = self.cleaned_data["insee_code"].strip().upper()
        if self.instance.pk:
            return self.instance.insee_code
        if not communes_import.INSEE_CODE.match(code):
            raise ValidationError(
                "Code INSEE invalide : 5 chiffres (2A ou 2B puis 3 chiffres en Corse)."
            )
        existing = Commune.objects.filter(insee_code=code).select_related("caf").first()
        if existing is not None:
            if existing.caf_id != self.instance.caf_id:
                raise ValidationError(
                    f"Cette commune ({existing.name}) appartient à la Caf {existing.caf.name}."
                )
            raise ValidationError(f"Cette commune existe déjà : {existing.name}.")
        return code

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (postcode.isdigit() and len(postcode) == 5):
            raise ValidationError("Code postal invalide : 5 chiffres.")
        return postcode

    def validate_unique(self):
        # The INSEE code's uniqueness is checked above with a message that names the Caf.
        pass


def commune_list(request):
    caf = _admin_caf(request)
    communes = Commune.objects.visible_to(request.user).select_related("territory")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    territory = request.GET.get("territoire", "")
    if query:
        communes = communes.filter(
            Q(name__icontains=query) | Q(insee_code__startswith=query) | Q(postcode=query)
        )
    territories = Territory.objects.visible_to(request.user).order_by("name")
    if territory.isdigit():
        communes = communes.filter(territory_id=int(territory))
    elif territory == "aucun":
        communes = communes.filter(territory__isnull=True)
    page = Paginator(communes.order_by("name", "insee_code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    keep = "&".join(
        f"{key}={value}" for key, value in (("q", query), ("territoire", territory)) if value
    )
    return render(
        request,
        "referential/communes.html",
        {
            "caf": caf,
            "page": page,
            "query": query,
            "territory": territory,
            "territories": territories,
            "keep": keep,
        },
    )


@require_http_methods(["GET", "POST"])
def commune_edit(request, pk=None):
    caf = _admin_caf(request)
    commune = get_visible_or_404(Commune, request.user, pk=pk) if pk else Commune(caf=caf)
    form = CommuneForm(
        request.POST or None,
        instance=commune,
        territories=Territory.objects.visible_to(request.user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        commune = form.save()
        messages.success(request, f"Commune {commune.name} ({commune.insee_code}) enregistrée.")
        return redirect("commune_list")
    return render(
        request,
        "referential/commune_edit.html",
        {
            "form": form,
            "commune": commune,
            "history": commune.history.select_related("history_user")[:10] if pk else [],
        },
    )


class CommuneImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Fichier des communes (CSV ou XLSX)",
        help_text="Colonnes : code_insee, nom, code_postal, territoire, rural, zrr, qpv "
        "(oui, non, 1, 0, x ou vide). Une commune déjà connue est mise à jour.",
        error_messages={"required": "Choisissez un fichier."},
    )


def _territories(user):
    return list(Territory.objects.visible_to(user))


@require_http_methods(["GET", "POST"])
def commune_import(request):
    """Upload, then the preview of what will be created or updated, or the lines to correct."""
    caf = _admin_caf(request)
    form = CommuneImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "caf": caf}
    if request.method == "POST" and form.is_valid():
        try:
            dataset = communes_import.read_dataset(form.cleaned_data["file"])
        except communes_import.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            errors, preview, totals = communes_import.check(
                dataset, caf=caf, territories=_territories(request.user)
            )
            context.update(errors=errors, preview=preview, totals=totals, checked=True)
            if errors:
                request.session.pop(IMPORT_SESSION_KEY, None)
            else:
                request.session[IMPORT_SESSION_KEY] = {
                    "caf": caf.pk,
                    "csv": communes_import.dataset_to_csv(dataset),
                    "name": form.cleaned_data["file"].name[:120],
                }
                context["file_name"] = form.cleaned_data["file"].name
    return render(request, "referential/commune_import.html", context)


@require_POST
def commune_import_confirm(request):
    caf = _admin_caf(request)
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending.get("caf") != caf.pk:
        messages.error(request, "Aucun fichier vérifié à importer : déposez-le à nouveau.")
        return redirect("commune_import")
    dataset = communes_import.dataset_from_csv(pending["csv"])
    try:
        with transaction.atomic():
            totals = communes_import.run(dataset, caf=caf, territories=_territories(request.user))
    except ValidationError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
        messages.error(
            request, "Rien n'a été importé : corrigez le fichier et déposez-le à nouveau."
        )
        return redirect("commune_import")
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(
        request,
        f"Import de « {pending['name']} » terminé : {totals['new']} commune{pluralize(totals['new'])} "
        f"créée{pluralize(totals['new'])}, {totals['update']} mise{pluralize(totals['update'])} à jour, "
        f"{totals['skip']} inchangée{pluralize(totals['skip'])}.",
    )
    return redirect("commune_list")


def commune_import_template(request):
    _admin_caf(request)
    response = HttpResponse(communes_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-communes.csv"'
    return response
