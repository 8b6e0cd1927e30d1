"""The Caf's resource library: its administrator adds and removes documents, carriers and staff
of the Caf read and download them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clasportal import files, rules
from clasportal.forms import StyledFormMixin
from clasportal.scoping import get_visible_or_404
from projects.models import Campaign
from projects.uploads import validate_upload

from ..models import Resource


class ResourceForm(StyledFormMixin, forms.ModelForm):
    upload = forms.FileField(
        label="Fichier (PDF, DOCX, XLSX, ODT…)",
        error_messages={"required": "Choisissez un fichier."},
    )

    class Meta:
        model = Resource
        fields = ["title", "description", "category", "place", "campaign", "position"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-year")
        self.fields["campaign"].empty_label = "Toutes les campagnes"

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            self.content_type, self.clean_name = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return upload


def resources_for(user, place=None, campaign=None):
    """What the person's Caf offers, optionally for one place of the journey and campaign."""
    resources = Resource.objects.visible_to(user).select_related("campaign")
    if place:
        resources = resources.filter(place__in=(place, Resource.Place.EVERYWHERE))
    if campaign is not None:
        resources = resources.filter(campaign__isnull=True) | resources.filter(campaign=campaign)
    return resources.order_by("category", "position", "title")


def resource_list(request):
    if not rules.can(request.user, "declarations.view_resources"):
        raise PermissionDenied
    can_manage = rules.can(request.user, "declarations.manage_resources")
    form = ResourceForm(user=request.user) if can_manage else None
    return _render(request, form, can_manage)


def _render(request, form, can_manage, status=200):
    page = Paginator(resources_for(request.user), 50).get_page(request.GET.get("page"))
    sections = []
    for resource in page.object_list:
        if not sections or sections[-1][0] != resource.get_category_display():
            sections.append((resource.get_category_display(), []))
        sections[-1][1].append(resource)
    return render(
        request,
        "declarations/resources.html",
        {"page": page, "sections": sections, "form": form, "can_manage": can_manage},
        status=status,
    )


@require_POST
def resource_add(request):
    if not rules.can(request.user, "declarations.manage_resources"):
        raise PermissionDenied
    form = ResourceForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _render(request, form, True, status=400)
    values = {
        **{name: form.cleaned_data[name] for name in ResourceForm.Meta.fields},
        "caf": request.user.caf,
        "content_type": form.content_type,
        "original_name": form.clean_name,
        "file": form.cleaned_data["upload"],
    }
    try:
        files.create_with_file(Resource, **values)
    except files.StorageUnavailable as exc:
        form.add_error("upload", exc.message)
        return _render(request, form, True, status=503)
    messages.success(request, f"« {values['title']} » est dans la bibliothèque.")
    return redirect("declarations:resources")


@require_POST
def resource_delete(request, pk):
    resource = get_visible_or_404(Resource, request.user, pk=pk)
    if not rules.can(request.user, "declarations.manage_resources", resource):
        raise PermissionDenied
    name = resource.file.name
    resource.delete()
    files.discard(name)
    messages.success(request, f"« {resource.title} » est retiré de la bibliothèque.")
    return redirect("declarations:resources")


def resource_download(request, pk):
    resource = get_visible_or_404(Resource, request.user, pk=pk)
    return files.stream(
        request,
        resource.file,
        filename=resource.original_name,
        content_type=resource.content_type,
    )
