"""Read-side queries for the pages that show whole maps, each a fixed number of SQL statements."""

import uuid
from collections import Counter
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.at_risk import at_risk_counts
from feedback.models import Feedback, JourneySnapshot
from journeys.lanes import BUILT_IN, lane_title
from journeys.models import BAND_LABELS, Band, Journey, Stage
from moments.models import MOMENT_SHORT_LABELS, Moment, MomentType
from touchpoints.models import CHANNEL_ICONS, CHANNEL_LABELS, Touchpoint
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
    """The journeys of the dashboard's main list (archived ones are listed apart), with what
    their cards show."""
    return with_card_stats(list(Journey.objects.filter(workspace=workspace).active()))


def archived_journeys(workspace: Workspace) -> list[Journey]:
    return list(Journey.objects.filter(workspace=workspace).archived().order_by("-archived_at"))


def with_card_stats(journeys: list[Journey]) -> list[Journey]:
    """The journeys with what a dashboard card shows: customers at risk, critical moments of
    truth and the 90-day trend, in three queries whatever their number."""
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


def journey_contents(journey: Journey) -> dict[str, int]:
    """What deleting the journey deletes with it."""
    return {
        "stages": journey.stages.count(),
        "touchpoints": journey.touchpoints.count(),
        "moments": Moment.objects.filter(touchpoint__journey=journey).count(),
        "feedback": Feedback.objects.filter(journey=journey).count(),
    }


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
    "lane_values",
    "health_score",
    "health_band",
    "health_n",
]


def board_stages(journey: Journey, filters: dict) -> list[Stage]:
    """The journey's stages, each with `.cards`: its touchpoints in order as dicts of what the
    card shows, with their moments and whether they match the filters. Three queries whatever
    the size; dicts from values() rather than model instances, which took a third of a 300-card
    map's time to build, and dicts are what the template engine looks up fastest."""
    stages = list(journey.stages.order_by("position"))
    cards = {stage.pk: [] for stage in stages}
    detail_url, move_url = url_for_each("maps:touchpoint"), url_for_each("maps:touchpoint-move")
    query = filter_query(filters)
    rows = Touchpoint.objects.filter(journey=journey).order_by("position").values(*CARD_FIELDS)
    # Translated once here: a lazy label is translated again at every use in the template.
    band_labels, channel_labels = translated(BAND_LABELS), translated(CHANNEL_LABELS)
    by_id = {}
    for row in rows:
        pk = str(row["id"])
        row.update(
            pk=pk,
            moments=[],
            link=detail_url(pk) + query,
            move_url=move_url(pk),
            band_label=band_labels[row["health_band"]],
            channel_label=channel_labels[row["channel"]],
            channel_icon=CHANNEL_ICONS[row["channel"]],
        )
        by_id[row["id"]] = row
        cards[row["stage_id"]].append(row)
    impact, names = _("impact"), dict(MomentType.choices)
    for touchpoint_id, type_, level in (
        Moment.objects.filter(touchpoint__journey=journey)
        .order_by("type")
        .values_list("touchpoint_id", "type", "impact")
    ):
        by_id[touchpoint_id]["moments"].append(
            {
                "type": type_,
                "short": MOMENT_SHORT_LABELS[type_],
                "title": f"{names[type_]} · {impact} {level}",
            }
        )
    for card in by_id.values():
        card["matches"] = matches(card, filters)
    for stage in stages:
        stage.cards = cards[stage.pk]
    return stages


def filter_query(filters: dict[str, str]) -> str:
    """The filters as a query string ("?type=fmot"), for the links that must keep them."""
    chosen = {name: value for name, value in filters.items() if value}
    return f"?{urlencode(chosen)}" if chosen else ""


def translated(labels: dict) -> dict[str, str]:
    return {value: str(label) for value, label in labels.items()}


def matches(card: dict, filters: dict) -> bool:
    return (
        (not filters["type"] or any(m["type"] == filters["type"] for m in card["moments"]))
        and (not filters["band"] or card["health_band"] == filters["band"])
        and (not filters["channel"] or card["channel"] == filters["channel"])
    )


NO_ID = str(uuid.UUID(int=0))


def url_for_each(name: str):
    """pk → the URL: reverse() once, then the id swapped in (a 300-card map needs 600)."""
    pattern = reverse(name, args=[NO_ID])
    return lambda pk: pattern.replace(NO_ID, pk)


def lanes(journey: Journey, stages: list) -> list:
    """[(title, [cell per stage: [(name or "", text), …]])] under the board, the journey's
    lanes in its order (journeys/lanes.py)."""
    cells = [stage.cards for stage in stages]
    rows = []
    for lane in journey.lanes:
        lane_id = lane["id"]
        if lane_id == "channel":
            row = [[("", f"{tp['channel_icon']} {tp['channel_label']}") for tp in s] for s in cells]
        elif lane_id in BUILT_IN:
            row = [[(tp["name"], tp[lane_id]) for tp in s if tp[lane_id]] for s in cells]
        else:
            row = [
                [
                    (tp["name"], tp["lane_values"][lane_id])
                    for tp in s
                    if lane_id in tp["lane_values"]
                ]
                for s in cells
            ]
        rows.append((lane_title(lane), row))
    return rows


def emotion_curve(stages: list[Stage]) -> dict:
    """Designed emotion (−2…+2) against measured health mapped to the same scale, touchpoint by
    touchpoint in the board's order, with how many of them each stage holds (its band)."""
    cards = [card for stage in stages for card in stage.cards]
    return {
        "names": [tp["name"] for tp in cards],
        "expected": [tp["expected_emotion"] for tp in cards],
        "measured": [
            None if tp["health_score"] is None else round((tp["health_score"] - 50) / 25, 2)
            for tp in cards
        ],
        "stages": [{"name": stage.name, "size": len(stage.cards)} for stage in stages],
        "labels": {"expected": _("Designed emotion"), "measured": _("Measured experience")},
    }
