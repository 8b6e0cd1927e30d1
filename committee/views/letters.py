"""A project's decision letter, downloaded again from its page."""

from django.http import Http404, HttpResponse

from clasportal.scoping import get_visible_or_404
from projects.models import Project

from .. import exports
from ..models import CommitteeSession


def project_letter(request, pk, session_pk):
    project = get_visible_or_404(Project.objects.select_related("carrier"), request.user, pk=pk)
    if not request.user.has_perm("projects.view_project", project):
        raise Http404
    session = (
        CommitteeSession.objects.filter(
            pk=session_pk,
            status=CommitteeSession.Status.CLOSED,
            items__project=project,
            items__decision__isnull=False,
        )
        .select_related("caf", "campaign")
        .first()
    )
    if session is None:
        raise Http404
    letter = exports.letters_by_carrier(session).get(project.carrier_id)
    if letter is None:
        raise Http404
    response = HttpResponse(exports.letter_pdf(session, letter), content_type="application/pdf")
    name = f"lettre-decision-{session.date:%Y-%m-%d}-{project.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
