from django.shortcuts import get_object_or_404

from projects.models import Project

from ..models import Declaration


def visible_declaration(request, pk):
    """Through the project scope: another carrier's or another Caf's declaration is a 404."""
    visible = Project.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        Declaration.objects.select_related(
            "project__carrier__commune__territory", "project__campaign__caf"
        ),
        pk=pk,
        project__in=visible,
    )
