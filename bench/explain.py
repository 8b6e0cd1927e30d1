"""EXPLAIN ANALYZE of the heaviest list queries on the national data (advisor of one Caf)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clasportal.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count  # noqa: E402

from projects.models import Campaign, Project  # noqa: E402

advisor = get_user_model().objects.get(email="advisor-100@national.clas.fr")
campaign = Campaign.objects.filter(caf=advisor.caf).order_by("-year").first()
queries = {
    "liste des projets (page 1)": Project.objects.visible_to(advisor)
    .for_list()
    .territories_first(advisor)[:25],
    "file d'instruction (page 1)": Project.objects.visible_to(advisor)
    .filter(campaign=campaign)
    .select_related("carrier__commune__territory")
    .annotate(collectives_count=Count("collectives"))
    .territories_first(advisor)[:25],
}
for label, queryset in queries.items():
    print(f"== {label}")
    print(queryset.explain(analyze=True))
