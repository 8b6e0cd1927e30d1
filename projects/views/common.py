from django.core.exceptions import PermissionDenied

from clasportal.scoping import get_visible_or_404

from ..models import Project


def visible_project(request, pk, *related):
    """Through the scoped queryset: another carrier's or another Caf's project is a 404. A
    partner of the committee sees a deposited project on its agenda, but only through its own
    pages (committee.views.partner_space): the carrier's and the Caf's pages are a 403 to it."""
    queryset = Project.objects.select_related(
        "carrier__commune__territory", "campaign__caf", *related
    )
    project = get_visible_or_404(queryset, request.user, pk=pk)
    if not request.user.has_perm("projects.view_project", project):
        raise PermissionDenied
    return project


def carrier_project(request, pk):
    """A project the current carrier user may work on (staff see it but do not edit it)."""
    project = visible_project(request, pk)
    if not request.user.has_perm("projects.edit_request", project):
        raise PermissionDenied
    return project
