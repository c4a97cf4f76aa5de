"""Read-side queries of feedback: a touchpoint's health detail."""

from datetime import timedelta

from django.utils import timezone

from feedback.models import TouchpointSnapshot
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
