"""The committee's documents on a project's page: the decision letter of each closed session
that decided on it (the same letter the carrier received by e-mail), downloadable again."""

from django.urls import reverse
from django.utils import timezone

from projects.documents import Document

from .models import AgendaItem, CommitteeSession


def decision_letters(project, user):
    items = (
        AgendaItem.objects.filter(
            project=project,
            session__status=CommitteeSession.Status.CLOSED,
            decision__isnull=False,
        )
        .select_related("session")
        .order_by("session__date")
    )
    return [
        Document(
            f"Lettre de décision — comité du {item.session.date:%d/%m/%Y}",
            reverse("committee:project_letter", args=[project.pk, item.session_id]),
            timezone.localdate(item.session.closed_at) if item.session.closed_at else None,
        )
        for item in items
    ]
