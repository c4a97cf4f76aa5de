"""Read-side queries of feedback: a touchpoint's health detail, its NPS answers, its comments."""

from datetime import datetime

from django.db import connection
from django.db.models import Count

from feedback.models import Feedback, TouchpointSnapshot
from feedback.window import window_bounds
from touchpoints.models import Touchpoint


def touchpoint_health_detail(touchpoint: Touchpoint) -> dict:
    window_days = touchpoint.workspace.window_days
    window = window_bounds(window_days)
    history = TouchpointSnapshot.objects.filter(
        touchpoint=touchpoint, day__gte=window.first_day, day__lte=window.last_day
    ).order_by("day")
    return {
        "score": touchpoint.health_score,
        "band": touchpoint.health_band,
        "n": touchpoint.health_n,
        "window_days": window_days,
        "computed_at": touchpoint.health_computed_at,
        "components": touchpoint.health_components,
        "history": [
            {"date": day, "score": score, "band": band}
            for day, score, band in history.values_list("day", "score", "band")
        ],
    }


def nps_counts(touchpoint: Touchpoint) -> list[int]:
    """How many answers gave each NPS value 0–10 in the scoring window, in one aggregate query."""
    window = window_bounds(touchpoint.workspace.window_days)
    counts = dict(
        Feedback.objects.filter(
            touchpoint=touchpoint,
            occurred_at__gte=window.start,
            occurred_at__lt=window.end,
            nps__isnull=False,
        )
        .values("nps")
        .annotate(n=Count("id"))
        .values_list("nps", "n")
        .order_by()
    )
    return [counts.get(value, 0) for value in range(11)]


def latest_comments(touchpoint: Touchpoint, limit: int = 5) -> list[Feedback]:
    return list(
        Feedback.objects.filter(touchpoint=touchpoint)
        .exclude(comment="")
        .order_by("-occurred_at", "-id")
        .only(
            "occurred_at",
            "customer_ref",
            "nps",
            "csat",
            "ces",
            "sentiment",
            "outcome",
            "comment",
            "source",
        )[:limit]
    )


ARRIVAL_FENCE = """
SELECT least(min(xact_start), clock_timestamp()) FROM pg_stat_activity
WHERE datname = current_database() AND backend_type = 'client backend'
    AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
"""


def arrival_fence() -> datetime:
    """The time before which every feedback row that will ever exist is already committed.

    A row's received_at is its transaction's start, and it becomes visible at commit: a client
    that read up to a received_at could miss a row of a transaction still open then. Every such
    transaction started at or after the oldest one open now, so rows received before that start
    are final. Read in its own statement, before the rows are (a transaction that commits in
    between is then seen by the rows' query). Sessions of other database users count only with
    the pg_read_all_stats role; the app's own user sees its own."""
    with connection.cursor() as cursor:
        cursor.execute(ARRIVAL_FENCE)
        return cursor.fetchone()[0]
