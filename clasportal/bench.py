"""What only the bench settings load (clasportal/settings/bench.py): never in production URLs.

- the floor page: logged in, one indexed query, 50 rows, inside the portal's base.html. Every
  page of bench/compare.py is reported as a ratio to it, so a noisy machine cancels out;
- a middleware that tells each response's server CPU time, wall time and SQL count in a
  ``Server-Timing`` header (a sync gunicorn worker serves one request at a time, so its process
  CPU time during the request is the request's).
"""

import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.urls import include, path

from .urls import handler403, handler404, handler500  # noqa: F401


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        response["Server-Timing"] = (
            f"cpu;dur={cpu * 1000:.2f}, wall;dur={wall * 1000:.2f}, sql;dur={queries[0]}"
        )
        # Which checkout answers: compare.py checks that each server runs the commit it names.
        response["X-Bench-Tree"] = str(settings.BASE_DIR)
        return response


def floor(request):
    carriers = (
        apps.get_model("projects", "Carrier")
        .objects.visible_to(request.user)
        .order_by("legal_name")
        .values_list("pk", "legal_name")[:50]
    )
    return render(request, "bench/floor.html", {"rows": carriers})


urlpatterns = [
    path("bench/plancher/", floor, name="bench_floor"),
    path("", include("clasportal.urls")),
]
