"""Health scores (DESIGN.md section 2), computed from the daily rollups with set-based SQL.

The formulas are plain functions over sums, so they are tested against hand-computed numbers;
the database does the summing, one aggregate query per batch of touchpoints.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import orjson
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from feedback.at_risk import at_risk_mark_stale
from feedback.models import DailyRollup, DirtyTouchpoint, JourneySnapshot, TouchpointSnapshot
from journeys.models import Band, Journey, Stage
from moments.models import Moment
from touchpoints.models import Touchpoint
from workspaces.models import Workspace

SUM_FIELDS = [
    "responses",
    "nps_n",
    "promoters",
    "detractors",
    "csat_n",
    "csat_top2",
    "ces_n",
    "ces_sum",
    "sentiment_n",
    "sentiment_sum",
    "outcome_n",
    "resolved",
]
COMPONENTS = ["nps", "csat", "ces", "sentiment", "resolution"]


def components_from_sums(sums: dict, min_responses: int) -> dict[str, dict]:
    """Every component with n ≥ 1: its exact value (0–100), n, and whether it counts."""
    values = {}
    if sums["nps_n"]:
        nps = (sums["promoters"] - sums["detractors"]) / sums["nps_n"] * 100
        values["nps"] = ((nps + 100) / 2, sums["nps_n"])
    if sums["csat_n"]:
        values["csat"] = (sums["csat_top2"] / sums["csat_n"] * 100, sums["csat_n"])
    if sums["ces_n"]:
        values["ces"] = ((sums["ces_sum"] / sums["ces_n"] - 1) / 6 * 100, sums["ces_n"])
    if sums["sentiment_n"]:
        mean = sums["sentiment_sum"] / sums["sentiment_n"]
        values["sentiment"] = ((mean + 1) / 2 * 100, sums["sentiment_n"])
    if sums["outcome_n"]:
        values["resolution"] = (sums["resolved"] / sums["outcome_n"] * 100, sums["outcome_n"])
    return {
        name: {"value": value, "n": n, "counts": n >= min_responses}
        for name, (value, n) in values.items()
    }


def score_from_components(components: dict[str, dict], weights: dict[str, float]) -> float | None:
    """Weighted mean of the counting components, to one decimal; None when nothing counts."""
    counting = [(c["value"], weights[name]) for name, c in components.items() if c["counts"]]
    total_weight = sum(weight for _, weight in counting)
    if not total_weight:
        return None
    return round(sum(value * weight for value, weight in counting) / total_weight, 1)


def band_for(score: float | None) -> str:
    if score is None:
        return Band.NO_DATA
    if score >= 70:
        return Band.HEALTHY
    if score >= 40:
        return Band.AT_RISK
    return Band.CRITICAL


def weighted_health(parts: Iterable[tuple[float | None, int, int]]) -> tuple[float | None, int]:
    """Stage or journey score from its touchpoints' (score, n, weight); and the responses behind it."""
    scored = [(score, n, weight) for score, n, weight in parts if score is not None]
    if not scored:
        return None, 0
    total_weight = sum(weight for _, _, weight in scored)
    score = round(sum(score * weight for score, _, weight in scored) / total_weight, 1)
    return score, sum(n for _, n, _ in scored)


@dataclass
class Health:
    score: float | None
    band: str
    n: int
    components: dict


def window_start(workspace: Workspace, as_of: date) -> date:
    """The window is whole UTC days: (as_of − window_days, as_of]."""
    return as_of - timedelta(days=workspace.window_days)


def touchpoint_health(
    workspace: Workspace, touchpoint_ids: list, as_of: date | None = None
) -> dict:
    """{touchpoint_id: Health} for touchpoints of one workspace, from one aggregate query."""
    as_of = as_of or timezone.now().date()
    sums_by_touchpoint = {
        row["touchpoint_id"]: row
        for row in DailyRollup.objects.filter(
            touchpoint_id__in=touchpoint_ids,
            day__gt=window_start(workspace, as_of),
            day__lte=as_of,
        )
        .values("touchpoint_id")
        .annotate(**{field: Sum(field) for field in SUM_FIELDS})
        .order_by()
    }
    result = {}
    for touchpoint_id in touchpoint_ids:
        sums = sums_by_touchpoint.get(touchpoint_id)
        if sums is None:
            result[touchpoint_id] = Health(None, Band.NO_DATA, 0, {})
            continue
        components = components_from_sums(sums, workspace.min_responses)
        score = score_from_components(components, workspace.weights)
        for component in components.values():
            component["value"] = round(component["value"], 1)
        result[touchpoint_id] = Health(score, band_for(score), sums["responses"], components)
    return result


def rescore_touchpoints(touchpoint_ids: Iterable) -> int:
    """Scores the touchpoints, their stages and journeys, and writes today's snapshots."""
    now = timezone.now()
    today = now.date()
    by_workspace = defaultdict(list)
    journey_ids = set()
    for touchpoint_id, workspace_id, journey_id in Touchpoint.objects.filter(
        id__in=list(touchpoint_ids)
    ).values_list("id", "workspace_id", "journey_id"):
        by_workspace[workspace_id].append(touchpoint_id)
        journey_ids.add(journey_id)
    updated, snapshots = [], []
    for workspace in Workspace.objects.filter(id__in=by_workspace):
        for touchpoint_id, health in touchpoint_health(
            workspace, by_workspace[workspace.pk], today
        ).items():
            updated.append(
                Touchpoint(
                    id=touchpoint_id,
                    health_score=health.score,
                    health_band=health.band,
                    health_n=health.n,
                    health_components=health.components,
                    health_computed_at=now,
                )
            )
            snapshots.append(
                TouchpointSnapshot(
                    touchpoint_id=touchpoint_id,
                    day=today,
                    score=health.score,
                    band=health.band,
                    n=health.n,
                    components=health.components,
                )
            )
    touchpoints_write_health(updated, now)
    TouchpointSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["touchpoint", "day"],
        update_fields=["score", "band", "n", "components"],
        batch_size=1000,
    )
    rescore_journeys(journey_ids, now=now)
    at_risk_mark_stale(journey_ids)
    return len(updated)


UPDATE_HEALTH_FROM_ARRAYS = """
UPDATE touchpoints_touchpoint AS t
SET health_score = v.score, health_band = v.band, health_n = v.n,
    health_components = v.components, health_computed_at = %s
FROM unnest(%s::uuid[], %s::float8[], %s::text[], %s::integer[], %s::text[]::jsonb[])
    AS v(id, score, band, n, components)
WHERE t.id = v.id
"""


def touchpoints_write_health(touchpoints: list[Touchpoint], now) -> None:
    """Stores computed health. On PostgreSQL one UPDATE from arrays: Django's bulk_update builds
    a CASE per field and row, which costs more than the scoring itself at 1,000 touchpoints."""
    if connection.vendor != "postgresql":
        fields = ["health_score", "health_band", "health_n", "health_components"]
        Touchpoint.objects.bulk_update(touchpoints, [*fields, "health_computed_at"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            UPDATE_HEALTH_FROM_ARRAYS,
            [
                now,
                [tp.id for tp in touchpoints],
                [tp.health_score for tp in touchpoints],
                [tp.health_band for tp in touchpoints],
                [tp.health_n for tp in touchpoints],
                [orjson.dumps(tp.health_components).decode() for tp in touchpoints],
            ],
        )


def touchpoint_weights(touchpoint_ids: Iterable) -> dict:
    """1 + the highest moment impact of each touchpoint; 1 when untagged."""
    highest = dict(
        Moment.objects.filter(touchpoint_id__in=list(touchpoint_ids))
        .values("touchpoint_id")
        .annotate(impact=Max("impact"))
        .values_list("touchpoint_id", "impact")
        .order_by()
    )
    return defaultdict(lambda: 1, {tp: 1 + impact for tp, impact in highest.items()})


def rescore_journeys(journey_ids: Iterable, now=None) -> None:
    """Stage and journey health from the stored touchpoint scores, weighted by moment impact."""
    now = now or timezone.now()
    journey_ids = sorted(journey_ids)  # one lock order for every worker
    rows = list(
        Touchpoint.objects.filter(journey_id__in=journey_ids).values_list(
            "id", "journey_id", "stage_id", "health_score", "health_n"
        )
    )
    weights = touchpoint_weights(row[0] for row in rows)
    by_stage, by_journey = defaultdict(list), defaultdict(list)
    for touchpoint_id, journey_id, stage_id, score, n in rows:
        part = (score, n, weights[touchpoint_id])
        by_stage[stage_id].append(part)
        by_journey[journey_id].append(part)
    stages = []
    for stage in Stage.objects.filter(journey_id__in=journey_ids).only("id"):
        stage.health_score, stage.health_n = weighted_health(by_stage[stage.pk])
        stage.health_band = band_for(stage.health_score)
        stage.health_computed_at = now
        stages.append(stage)
    journeys, snapshots = [], []
    for journey_id in journey_ids:
        score, n = weighted_health(by_journey[journey_id])
        journey = Journey(
            id=journey_id,
            health_score=score,
            health_band=band_for(score),
            health_n=n,
            health_computed_at=now,
        )
        journeys.append(journey)
        snapshots.append(
            JourneySnapshot(
                journey_id=journey_id, day=now.date(), score=score, band=journey.health_band, n=n
            )
        )
    fields = ["health_score", "health_band", "health_n", "health_computed_at"]
    Stage.objects.bulk_update(stages, fields, batch_size=1000)
    Journey.objects.bulk_update(journeys, fields, batch_size=1000)
    JourneySnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["journey", "day"],
        update_fields=["score", "band", "n"],
    )


DIRTY_BATCH = 1000


def rescore_dirty() -> int:
    """Claims dirty touchpoints a batch at a time and rescores them. A crash rolls the claim
    back, so the work is done again by the next run; SKIP LOCKED lets workers share the queue."""
    total = 0
    while True:
        with transaction.atomic():
            claimed = list(
                DirtyTouchpoint.objects.select_for_update(skip_locked=True).values_list(
                    "touchpoint_id", flat=True
                )[:DIRTY_BATCH]
            )
            if not claimed:
                return total
            DirtyTouchpoint.objects.filter(touchpoint_id__in=claimed).delete()
            total += rescore_touchpoints(claimed)


def mark_dirty(touchpoint_ids: Iterable) -> None:
    DirtyTouchpoint.objects.bulk_create(
        [DirtyTouchpoint(touchpoint_id=tp) for tp in touchpoint_ids], ignore_conflicts=True
    )


def snapshots_backfill(workspace: Workspace, *, days: int) -> None:
    """Writes the daily snapshots of the past `days` days as they would have been scored then,
    e.g. after importing historical feedback. One aggregate query per day."""
    today = timezone.now().date()
    journey_of = dict(
        Touchpoint.objects.filter(workspace=workspace).values_list("id", "journey_id")
    )
    weights = touchpoint_weights(journey_of)
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        health = touchpoint_health(workspace, list(journey_of), as_of=day)
        by_journey = defaultdict(list)
        for touchpoint_id, h in health.items():
            by_journey[journey_of[touchpoint_id]].append((h.score, h.n, weights[touchpoint_id]))
        TouchpointSnapshot.objects.bulk_create(
            [
                TouchpointSnapshot(
                    touchpoint_id=touchpoint_id,
                    day=day,
                    score=h.score,
                    band=h.band,
                    n=h.n,
                    components=h.components,
                )
                for touchpoint_id, h in health.items()
            ],
            update_conflicts=True,
            unique_fields=["touchpoint", "day"],
            update_fields=["score", "band", "n", "components"],
        )
        journey_snapshots = []
        for journey_id, parts in by_journey.items():
            score, n = weighted_health(parts)
            journey_snapshots.append(
                JourneySnapshot(
                    journey_id=journey_id, day=day, score=score, band=band_for(score), n=n
                )
            )
        JourneySnapshot.objects.bulk_create(
            journey_snapshots,
            update_conflicts=True,
            unique_fields=["journey", "day"],
            update_fields=["score", "band", "n"],
        )
