"""Read-side queries of feedback: a touchpoint's health detail and a journey's at-risk customers."""

from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from feedback.models import Feedback, TouchpointSnapshot
from journeys.models import Journey
from touchpoints.models import Touchpoint


def touchpoint_health_detail(touchpoint: Touchpoint) -> dict:
    window_days = touchpoint.workspace.window_days
    since = timezone.now().date() - timedelta(days=window_days)
    history = TouchpointSnapshot.objects.filter(touchpoint=touchpoint, day__gt=since).order_by(
        "day"
    )
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


def at_risk_customers(journey: Journey, *, limit: int = 100) -> dict:
    """Customers with at least `at_risk_threshold` negative experiences in the window across the
    journey's touchpoints (the less-than-zero moment in the making), and where they happened."""
    workspace = journey.workspace
    threshold = workspace.at_risk_threshold
    negative = Feedback.objects.filter(
        journey=journey,
        is_negative=True,
        occurred_at__gt=timezone.now() - timedelta(days=workspace.window_days),
    ).exclude(customer_ref="")
    at_risk = (
        negative.values("customer_ref")
        .annotate(negative_count=Count("id"), last_at=Max("occurred_at"))
        .filter(negative_count__gte=threshold)
    )
    # Every customer at risk in one pass (they are few next to all customers): the count
    # comes from the same rows instead of a second GROUP BY.
    everyone = list(at_risk.order_by("-negative_count", "-last_at", "customer_ref"))
    customers = everyone[:limit]
    names = {
        tp["id"]: tp
        for tp in Touchpoint.objects.filter(journey=journey).values("id", "key", "name")
    }
    touchpoints_of = {}
    for customer_ref, touchpoint_id in (
        negative.filter(customer_ref__in=[c["customer_ref"] for c in customers])
        .values_list("customer_ref", "touchpoint_id")
        .distinct()
    ):
        touchpoints_of.setdefault(customer_ref, []).append(names[touchpoint_id])
    for customer in customers:
        customer["touchpoints"] = sorted(touchpoints_of[customer["customer_ref"]], key=_by_name)
    hotspots = (
        negative.filter(customer_ref__in=at_risk.values("customer_ref"))
        .values("touchpoint_id")
        .annotate(negative_count=Count("id"))
        .order_by("-negative_count")
    )
    return {
        "threshold": threshold,
        "window_days": workspace.window_days,
        "customer_count": len(everyone),
        "customers": customers,
        "hotspots": [
            {**names[row["touchpoint_id"]], "negative_count": row["negative_count"]}
            for row in hotspots
        ],
    }


def _by_name(touchpoint: dict) -> str:
    return touchpoint["name"]


def customer_bad_experiences(journey: Journey, customer_refs: list[str]) -> dict[str, list]:
    """{customer_ref: their negative feedback in the window, oldest first}, in one query for all
    the customers: the story of how each of them came to be at risk."""
    rows = (
        Feedback.objects.filter(
            journey=journey,
            is_negative=True,
            customer_ref__in=customer_refs,
            occurred_at__gt=timezone.now() - timedelta(days=journey.workspace.window_days),
        )
        .select_related("touchpoint")
        .only(
            "customer_ref",
            "occurred_at",
            "nps",
            "csat",
            "ces",
            "sentiment",
            "outcome",
            "comment",
            "channel",
            "touchpoint",
            "touchpoint__id",
            "touchpoint__key",
            "touchpoint__name",
        )
        .order_by("customer_ref", "occurred_at", "id")
    )
    experiences: dict[str, list] = {ref: [] for ref in customer_refs}
    for feedback in rows:
        experiences[feedback.customer_ref].append(feedback)
    return experiences
