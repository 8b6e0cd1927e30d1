"""The national administrator sets up each Caf from the screens: its identity, contacts and
logo (printed on its PDFs), its first administrator (invited by e-mail), and reads every Caf's
set-up status. The Caf administrator then does the rest (territories, communes, carriers,
campaigns, local rules)."""

import logging
import re
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from PIL import Image, UnidentifiedImageError

from . import rules
from .accounts import send_password_link
from .forms import StyledFormMixin
from .models import Caf, Role, StaffProfile
from .team import StaffForm, _base_url, invite_staff

logger = logging.getLogger(__name__)

PER_PAGE = 50
# A logo is printed a few centimetres wide at the top of the Caf's PDFs: a small file is enough,
# and a small file is embedded in every letter without weighing on the PDF.
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4000  # pixels; checked from the header, before any pixel is decoded
LOGO_KINDS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$")


def _require_national_admin(request):
    if not rules.can(request.user, "setup.manage_cafs"):
        raise PermissionDenied


def clean_logo(upload):
    """A PNG or JPEG recognised from its bytes (never from its name), of bounded weight and size;
    renamed after its detected type."""
    if upload.size > LOGO_MAX_BYTES:
        weight = f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")
        raise forms.ValidationError(f"Le logo pèse {weight} Mo : 1 Mo au plus.")
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        raise forms.ValidationError(
            "Le logo doit être une image PNG ou JPEG : ce fichier n'en est pas une."
        )
    try:
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                raise forms.ValidationError(
                    f"Le logo mesure {width} × {height} pixels : {LOGO_MAX_SIDE} au plus de "
                    "chaque côté."
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise forms.ValidationError(
            "Cette image PNG ou JPEG est illisible ou abîmée : enregistrez-la à nouveau."
        ) from None
    if kind not in LOGO_KINDS:
        raise forms.ValidationError("Le logo doit être une image PNG ou JPEG.")
    upload.seek(0)
    upload.name = f"logo.{LOGO_KINDS[kind][0]}"
    return upload


class CafForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Caf
        fields = [
            "number",
            "name",
            "departement",
            "address",
            "contact_email",
            "contact_phone",
            "logo",
            "is_active",
        ]
        labels = {
            "number": "Numéro de la Caf",
            "name": "Nom",
            "departement": "Département",
            "address": "Adresse postale",
            "contact_email": "E-mail de contact",
            "contact_phone": "Téléphone de contact",
            "logo": "Logo (PNG ou JPEG)",
            "is_active": "Caf active sur le portail",
        }
        help_texts = {
            "number": "Trois chiffres, ex. 042.",
            "name": "Tel qu'il s'affiche aux porteurs, ex. « Loire ».",
            "departement": "Ex. 42, 2A, 974.",
            "contact_email": "Adresse donnée aux porteurs pour joindre la Caf au sujet du Clas.",
            "logo": "Imprimé en tête de la liste d'agrément et des courriers de décision. "
            "PNG ou JPEG, 1 Mo au plus.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }
        error_messages = {
            "number": {"unique": "Une Caf porte déjà ce numéro."},
            "contact_email": {"invalid": "Saisissez une adresse e-mail valide (ex. clas@caf.fr)."},
        }

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not (number.isascii() and number.isdigit() and len(number) == 3):
            raise forms.ValidationError("Le numéro de la Caf compte trois chiffres (ex. 042).")
        return number

    def clean_departement(self):
        departement = self.cleaned_data["departement"].strip().upper()
        if not DEPARTEMENT.match(departement):
            raise forms.ValidationError("Saisissez un numéro de département (ex. 42, 2A, 974).")
        if Caf.objects.filter(departement=departement).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Une Caf couvre déjà ce département.")
        return departement

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not re.fullmatch(r"\+?[\d .-]{6,20}", phone):
            raise forms.ValidationError("Saisissez un numéro de téléphone (ex. 04 77 12 34 56).")
        return phone

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            return clean_logo(logo)
        return logo


class FirstAdminForm(StaffForm):
    """The team page's invitation, with the role fixed: the Caf's administrator."""

    def __init__(self, *args, caf, **kwargs):
        super().__init__(*args, caf=caf, **kwargs)
        del self.fields["role"]
        del self.fields["territories"]


# --- Set-up status -----------------------------------------------------------------------------


def _count(relation, condition=None):
    """How many `relation` rows a Caf has, as a column of the Caf list (one query in all)."""
    counted = (
        Caf.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")
        .annotate(n=Count(relation, filter=condition, distinct=True))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def with_setup_status(cafs):
    administrators = rules.administrators_of(OuterRef("pk"))
    return cafs.annotate(
        territory_count=_count("territories"),
        commune_count=_count("communes"),
        carrier_count=_count(
            "carriers", Q(carriers__is_active=True, carriers__merged_into__isnull=True)
        ),
        campaign_count=_count("campaigns"),
        has_invited_admin=Exists(administrators),
        # An administrator who chose a password answered the invitation.
        has_admin=Exists(administrators.exclude(password__startswith="!").exclude(password="")),
        has_policy=Exists(Caf.objects.filter(pk=OuterRef("pk"), policy__isnull=False)),
    )


STEP_LABELS = (
    "Administrateur",
    "Territoires",
    "Communes",
    "Porteurs",
    "Campagnes",
    "Paramètres locaux",
)


def setup_steps(caf):
    """Each set-up step of an annotated Caf: (label, done, detail)."""

    def counted(n, one, many):
        return f"{n} {one if n == 1 else many}" if n else "aucun"

    admin_detail = (
        "a choisi son mot de passe"
        if caf.has_admin
        else ("invitation en attente" if caf.has_invited_admin else "à inviter")
    )
    steps = [
        ("Administrateur", caf.has_admin, admin_detail),
        (
            "Territoires",
            caf.territory_count > 0,
            counted(caf.territory_count, "territoire", "territoires"),
        ),
        ("Communes", caf.commune_count > 0, counted(caf.commune_count, "commune", "communes")),
        ("Porteurs", caf.carrier_count > 0, counted(caf.carrier_count, "porteur", "porteurs")),
        (
            "Campagnes",
            caf.campaign_count > 0,
            counted(caf.campaign_count, "campagne", "campagnes"),
        ),
        (
            "Paramètres locaux",
            caf.has_policy,
            "enregistrés" if caf.has_policy else "valeurs nationales par défaut",
        ),
    ]
    return steps


def _annotated_caf(pk):
    return get_object_or_404(with_setup_status(Caf.objects.all()), pk=pk)


# --- History -----------------------------------------------------------------------------------

HISTORY_ROWS = 30


def history_rows(caf):
    """Who changed the Caf's record, when, and each field's before → after."""
    records = list(caf.history.select_related("history_user")[: HISTORY_ROWS + 1])
    rows = []
    for index, record in enumerate(records[:HISTORY_ROWS]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = Caf._meta.get_field(change.field)
                changes.append(
                    (field.verbose_name, _shown(field, change.old), _shown(field, change.new))
                )
        rows.append(
            {
                "record": record,
                "changes": changes,
                "created": previous is None and record.history_type == "+",
                "reason": record.history_change_reason or "",
            }
        )
    return rows


def _shown(field, value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field.name == "logo":
        return PurePosixPath(str(value)).name if value else "aucun"
    return value if value not in (None, "") else "—"


# --- Views -------------------------------------------------------------------------------------


@require_GET
def caf_list(request):
    _require_national_admin(request)
    cafs = with_setup_status(Caf.objects.order_by("departement", "number"))
    page = Paginator(cafs, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for caf in page:
        steps = setup_steps(caf)
        rows.append({"caf": caf, "steps": steps, "ready": all(done for _, done, _ in steps)})
    return render(
        request,
        "setup/caf_list.html",
        {"page": page, "rows": rows, "step_labels": STEP_LABELS},
    )


@require_http_methods(["GET", "POST"])
def caf_create(request):
    _require_national_admin(request)
    form = CafForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        caf = form.save(commit=False)
        caf._change_reason = "Caf créée"
        caf.save()
        logger.info("caf %s created by user %s", caf.pk, request.user.pk)
        messages.success(
            request, f"Caf {caf.name} créée. Invitez maintenant son premier administrateur."
        )
        return redirect("setup_caf_detail", pk=caf.pk)
    return render(request, "setup/caf_form.html", {"form": form, "caf": None})


@require_http_methods(["GET", "POST"])
def caf_edit(request, pk):
    _require_national_admin(request)
    caf = get_object_or_404(Caf, pk=pk)
    form = CafForm(request.POST or None, request.FILES or None, instance=caf)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            caf = form.save(commit=False)
            caf._change_reason = "Fiche de la Caf modifiée"
            caf.save()
            messages.success(request, f"Fiche de la Caf {caf.name} enregistrée.")
        return redirect("setup_caf_detail", pk=caf.pk)
    return render(request, "setup/caf_form.html", {"form": form, "caf": caf})


def _detail(request, caf, invite_form):
    administrators = list(
        StaffProfile.objects.filter(user__in=rules.administrators_of(caf.pk))
        .select_related("user")
        .order_by("user__last_name", "user__email")
    )
    return render(
        request,
        "setup/caf_detail.html",
        {
            "caf": caf,
            "steps": setup_steps(caf),
            "administrators": administrators,
            "invite_form": invite_form,
            "history": history_rows(caf),
        },
    )


@require_GET
def caf_detail(request, pk):
    _require_national_admin(request)
    caf = _annotated_caf(pk)
    return _detail(request, caf, FirstAdminForm(caf=caf))


@require_POST
def caf_invite_admin(request, pk):
    """Open the account of a Caf administrator and mail the invitation to choose a password."""
    _require_national_admin(request)
    caf = _annotated_caf(pk)
    form = FirstAdminForm(request.POST, caf=caf)
    if not form.is_valid():
        return _detail(request, caf, form)
    data = form.cleaned_data
    profile = invite_staff(
        request,
        caf,
        email=data["email"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        role=Role.CAF_ADMIN,
    )
    logger.info("caf admin %s invited for caf %s by user %s", profile.pk, caf.pk, request.user.pk)
    messages.success(
        request,
        f"Compte d'administrateur créé pour {profile.user.email} ; une invitation lui est "
        "envoyée pour choisir son mot de passe.",
    )
    return redirect("setup_caf_detail", pk=caf.pk)


@require_POST
def caf_admin_resend(request, pk, profile_pk):
    """The invitation again, while the administrator has not chosen a password."""
    _require_national_admin(request)
    caf = get_object_or_404(Caf, pk=pk)
    profile = get_object_or_404(
        StaffProfile.objects.select_related("user"),
        pk=profile_pk,
        user__in=rules.administrators_of(caf.pk),
    )
    user = profile.user
    if user.has_usable_password():
        messages.error(request, f"{user} a déjà choisi son mot de passe.")
    else:
        send_password_link(
            user,
            subject="Votre compte sur le portail Clas",
            intro=f"{request.user} vous renvoie votre invitation au portail Clas "
            f"({profile.get_role_display()}, Caf {caf.name}).",
            base_url=_base_url(request),
        )
        profile._change_reason = "Invitation renvoyée"
        profile.save()
        messages.success(request, f"Invitation renvoyée à {user.email}.")
    return redirect("setup_caf_detail", pk=caf.pk)


@require_GET
def caf_logo(request, pk):
    """The logo as stored (private storage), for the national administrator's preview."""
    _require_national_admin(request)
    caf = get_object_or_404(Caf, pk=pk)
    if not caf.logo:
        raise Http404
    extension = PurePosixPath(caf.logo.name).suffix.lower()
    content_type = "image/png" if extension == ".png" else "image/jpeg"
    try:
        handle = caf.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
