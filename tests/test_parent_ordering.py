"""Rows read through their parent's related manager are sorted without joining the parent
(clasportal.scoping.ParentOrderedManager), and keep the declared ordering everywhere else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Collective, Project
from tests.factories import CollectiveFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def only_sql(queries):
    assert len(queries) == 1
    return queries[0]["sql"]


def test_a_projects_collectives_are_sorted_by_name_without_joining_the_project(loire):
    project = loire.project
    CollectiveFactory(project=project, name="Zèbres")
    CollectiveFactory(project=project, name="Abeilles")
    with CaptureQueriesContext(connection) as queries:
        names = [c.name for c in project.collectives.all()]
    sql = only_sql(queries)
    assert '"projects_project"' not in sql and "JOIN" not in sql
    assert names == sorted(names) and names[0] == "Abeilles"
    # The model's ordering is unchanged outside a related manager: the project's order first.
    assert Collective._meta.ordering[0] == "project"
    with CaptureQueriesContext(connection) as queries:
        list(Collective.objects.all())
    assert '"projects_project"' in only_sql(queries)


def test_a_prefetch_over_several_projects_keeps_each_projects_rows_in_order(loire):
    first, second = loire.project, loire.other_project
    for name in ("Cèdres", "Aulnes", "Bouleaux"):
        CollectiveFactory(project=first, name=name)
        CollectiveFactory(project=second, name=name + " bis")
    projects = Project.objects.filter(pk__in=[first.pk, second.pk]).prefetch_related("collectives")
    for project in projects:
        names = [c.name for c in project.collectives.all()]
        assert names == sorted(names)
        assert all(c.project_id == project.pk for c in project.collectives.all())


def test_an_explicit_order_and_other_managers_are_left_alone(loire):
    project = loire.project
    CollectiveFactory(project=project, name="Abeilles")
    CollectiveFactory(project=project, name="Zèbres")
    names = [c.name for c in project.collectives.order_by("-name")]
    assert names == sorted(names, reverse=True)
    # A reverse manager whose link is not the first key of the ordering keeps the ordering.
    with CaptureQueriesContext(connection) as queries:
        list(project.events.all())
    assert 'ORDER BY "projects_projectevent"."created_at" DESC' in only_sql(queries)
    # The payments of one project: by date then kind, the project's tables not joined.
    other = ProjectFactory(campaign=project.campaign)
    with CaptureQueriesContext(connection) as queries:
        list(other.payments.all())
    sql = only_sql(queries)
    assert "JOIN" not in sql
    assert sql.endswith(
        'ORDER BY "declarations_payment"."created_at" ASC, "declarations_payment"."kind" ASC'
    )
