"""Issue 17 (A) demo data: in the Loire's closed campaign, a rejected justification excluded a
collective; the GC and the carrier see it with real figures."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from clasportal.models import User
from declarations.models import Declaration, Justification

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_collective_excluded_by_a_rejection(client):
    call_command("seed_demo", "--reset", verbosity=0)
    rejected = Justification.objects.filter(
        status="rejected",
        effect="exclude_collective",
        declaration__project__campaign__caf__departement="42",
        declaration__project__campaign__year=2025,
    ).select_related("declaration")
    assert rejected.count() == 2
    validated = rejected.get(declaration__status=Declaration.Status.VALIDATED).declaration
    waiting = rejected.get(declaration__status=Declaration.Status.SUBMITTED)
    assert waiting.carrier_answer
    assert validated.computation.inputs["actual"]["collectives"] == validated.collectives - 1

    client.force_login(User.objects.get(email="gc@demo.clas.fr"))
    page = client.get(reverse("declarations:process", args=[waiting.declaration_id]))
    text = page.content.decode()
    assert "Réponse du porteur au rejet" in text and "collectif 2 exclu du droit" in text
    member = validated.project.carrier.memberships.first().user
    client.force_login(member)
    text = client.get(reverse("declarations:edit", args=[validated.pk])).content.decode()
    assert "Collectif 2 exclu du droit" in text and "Droit figé à la validation" in text
