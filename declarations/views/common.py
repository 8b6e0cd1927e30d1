from clasportal.scoping import get_visible_or_404

from ..models import Declaration


def visible_declaration(request, pk):
    """Through the declaration's scope: another carrier's or another Caf's one is a 404."""
    queryset = Declaration.objects.select_related(
        "project__carrier__commune__territory", "project__campaign__caf"
    )
    return get_visible_or_404(queryset, request.user, pk=pk)
