"""Read-side queries for the journey pages, each a fixed number of SQL statements."""

from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

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


CARD_FIELDS = [
    "id",
    "stage_id",
    "key",
    "name",
    "channel",
    "owner",
    "expected_emotion",
    "pain_points",
    "opportunities",
    "health_score",
    "health_band",
    "health_n",
]


def board_stages(journey: Journey) -> list[Stage]:
    """The journey's stages, each with `.cards`: its touchpoints in order, as plain objects
    with their `.moments`. Three queries whatever the size; plain objects from values() rather
    than model instances, which took a third of a 300-card map's time to build."""
    stages = list(journey.stages.order_by("position"))
    cards = {stage.pk: [] for stage in stages}
    rows = Touchpoint.objects.filter(journey=journey).order_by("position").values(*CARD_FIELDS)
    touchpoints = [SimpleNamespace(pk=row["id"], moments=[], **row) for row in rows]
    by_id = {tp.pk: tp for tp in touchpoints}
    for moment in (
        Moment.objects.filter(touchpoint__journey=journey)
        .order_by("type")
        .values("touchpoint_id", "type", "impact")
    ):
        by_id[moment["touchpoint_id"]].moments.append(SimpleNamespace(**moment))
    for tp in touchpoints:
        cards[tp.stage_id].append(tp)
    for stage in stages:
        stage.cards = cards[stage.pk]
    return stages
