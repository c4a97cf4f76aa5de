"""Read-side queries for the journey pages, each a fixed number of SQL statements."""

from collections import Counter
from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone

from feedback.at_risk import at_risk_counts
from feedback.models import JourneySnapshot
from journeys.models import Band, Journey, Stage
from moments.models import Moment
from touchpoints.models import Touchpoint
from workspaces.models import Workspace


def critical_moment_counts(journey_ids: list) -> Counter:
    """{journey_id: moments of truth whose touchpoint is critical}."""
    return Counter(
        Moment.objects.filter(
            touchpoint__journey_id__in=journey_ids, touchpoint__health_band=Band.CRITICAL
        ).values_list("touchpoint__journey_id", flat=True)
    )


def sparklines(journey_ids: list, days: int = 90) -> dict:
    since = timezone.now().date() - timedelta(days=days)
    series: dict = {journey_id: {"x": [], "y": []} for journey_id in journey_ids}
    for journey_id, day, score in (
        JourneySnapshot.objects.filter(journey_id__in=journey_ids, day__gt=since)
        .order_by("day")
        .values_list("journey_id", "day", "score")
    ):
        series[journey_id]["x"].append(day.isoformat())
        series[journey_id]["y"].append(score)
    return series


def dashboard_journeys(workspace: Workspace) -> list[Journey]:
    journeys = list(Journey.objects.filter(workspace=workspace))
    ids = [journey.pk for journey in journeys]
    at_risk, critical, lines = (
        at_risk_counts(ids),
        critical_moment_counts(ids),
        sparklines(ids),
    )
    for journey in journeys:
        journey.at_risk_count = at_risk.get(journey.pk, 0)
        journey.critical_moments = critical[journey.pk]
        journey.sparkline = lines[journey.pk]
    return journeys


def with_map(journeys):
    """Journeys with their stages, touchpoints and moments: four queries, whatever the size."""
    # Not on a card: the panel loads its own touchpoint.
    touchpoints = (
        Touchpoint.objects.defer("health_components", "description")
        .order_by("position")
        .prefetch_related(Prefetch("moments", queryset=Moment.objects.order_by("type")))
    )
    stages = Stage.objects.order_by("position").prefetch_related(
        Prefetch("touchpoints", queryset=touchpoints)
    )
    return journeys.select_related("workspace").prefetch_related(
        Prefetch("stages", queryset=stages)
    )
