"""Health scores (docs/health.md), computed from the daily rollups with set-based SQL.

The formulas are plain functions over sums, so they are tested against hand-computed numbers;
the database does the summing, one aggregate query per batch of touchpoints.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import orjson
from django.db import connection, transaction
from django.db.models import BooleanField, Max, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from feedback.at_risk import at_risk_mark_stale
from feedback.models import DailyRollup, DirtyTouchpoint, JourneySnapshot, TouchpointSnapshot
from feedback.signals import BandChange, journey_bands_changed, touchpoint_bands_changed
from feedback.window import window_bounds
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


# The lowest score of each band above critical (the map's legend says them too).
HEALTHY_FROM, AT_RISK_FROM = 70, 40


def band_for(score: float | None) -> str:
    if score is None:
        return Band.NO_DATA
    if score >= HEALTHY_FROM:
        return Band.HEALTHY
    if score >= AT_RISK_FROM:
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


def touchpoint_health(
    workspace: Workspace, touchpoint_ids: list, as_of: date | None = None
) -> dict:
    """{touchpoint_id: Health} for touchpoints of one workspace, from one aggregate query."""
    window = window_bounds(workspace.window_days, as_of)
    sums_by_touchpoint = {
        row["touchpoint_id"]: row
        for row in DailyRollup.objects.filter(
            among(DailyRollup, "touchpoint_id", touchpoint_ids),
            day__gte=window.first_day,
            day__lte=window.last_day,
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
    """Scores the touchpoints, their stages and journeys, and writes today's snapshots. The
    touchpoints whose band changed are announced (touchpoint_bands_changed) in the same
    transaction."""
    now = timezone.now()
    by_workspace = defaultdict(list)
    journey_ids = set()
    for touchpoint_id, workspace_id, journey_id in Touchpoint.objects.filter(
        among(Touchpoint, "id", list(touchpoint_ids))
    ).values_list("id", "workspace_id", "journey_id"):
        by_workspace[workspace_id].append(touchpoint_id)
        journey_ids.add(journey_id)
    rows = []
    for workspace in Workspace.objects.filter(id__in=by_workspace):
        for touchpoint_id, health in touchpoint_health(
            workspace, by_workspace[workspace.pk], now.date()
        ).items():
            rows.append(
                {
                    "id": touchpoint_id,
                    "score": health.score,
                    "band": health.band,
                    "n": health.n,
                    "components": health.components,
                }
            )
    with transaction.atomic(savepoint=False):
        changes = health_write(Touchpoint, rows, now, snapshot=TouchpointSnapshot, changes=True)
        if changes:
            touchpoint_bands_changed.send(sender=Touchpoint, changes=changes)
        rescore_journeys(journey_ids, now=now)
        at_risk_mark_stale(journey_ids)
    return len(rows)


def touchpoint_weights(journey_ids: Iterable) -> dict:
    """1 + the highest moment impact of each touchpoint of the journeys; 1 when untagged."""
    highest = dict(
        Moment.objects.filter(touchpoint__journey_id__in=list(journey_ids))
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
    weights = touchpoint_weights(journey_ids)
    by_stage, by_journey = defaultdict(list), defaultdict(list)
    for touchpoint_id, journey_id, stage_id, score, n in rows:
        part = (score, n, weights[touchpoint_id])
        by_stage[stage_id].append(part)
        by_journey[journey_id].append(part)
    stage_ids = Stage.objects.filter(journey_id__in=journey_ids).values_list("id", flat=True)
    with transaction.atomic(savepoint=False):
        health_write(Stage, [weighted_row(id, by_stage[id]) for id in stage_ids], now)
        changes = health_write(
            Journey,
            [weighted_row(id, by_journey[id]) for id in journey_ids],
            now,
            snapshot=JourneySnapshot,
            changes=True,
        )
        if changes:
            journey_bands_changed.send(sender=Journey, changes=changes)


def weighted_row(id, parts: list[tuple[float | None, int, int]]) -> dict:
    score, n = weighted_health(parts)
    return {"id": id, "score": score, "band": band_for(score), "n": n}


HEALTH_WRITE = """
WITH v AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb)
        AS v(id uuid, score float8, band text, n integer, components jsonb)
){old}, updated AS (
    UPDATE {table} AS t
    SET health_score = v.score, health_band = v.band, health_n = v.n,
        health_computed_at = %(now)s {set_components}
    FROM v {join_old} WHERE t.id = v.id
)
{snapshot}
"""
# The bands before the UPDATE, read under the rows' locks (in id order, one lock order for every
# worker): the lock waits for a concurrent rescore of the same rows and reads what it
# committed, where a plain join would read the statement's snapshot and report its change again.
# FOR NO KEY UPDATE, the lock the UPDATE takes anyway: FOR UPDATE would also wait for the
# ingestion batches that hold their touchpoints FOR KEY SHARE, which may wait for this
# transaction's claim of their dirty touchpoints: a deadlock.
OLD_BANDS = """, old AS (
    SELECT t.id, t.health_band FROM {table} AS t
    WHERE t.id IN (SELECT id FROM v) ORDER BY t.id FOR NO KEY UPDATE
)"""
CHANGED_BANDS = """
SELECT v.id, old.health_band, v.band, v.score FROM v JOIN old ON old.id = v.id
WHERE old.health_band <> v.band
"""
SNAPSHOT_WRITE = """
INSERT INTO {table} ({owner}, day, score, band, n {components})
SELECT id, %(day)s, score, band, n {components} FROM v
ON CONFLICT ({owner}, day) DO UPDATE
SET score = excluded.score, band = excluded.band, n = excluded.n {set_components}
"""


def health_write(model, rows: list[dict], now, *, snapshot=None, changes=False) -> list:
    """Stores computed health ({id, score, band, n[, components]} per object) and, given a
    snapshot model, today's snapshots. On PostgreSQL one statement with the rows as one JSON
    document: Django's bulk_update builds a CASE per field and row, and binding thousands of
    array elements cost more than the scoring itself at 1,000 touchpoints. With `changes`, the
    same statement returns the objects whose band it changed, as BandChange tuples."""
    with_components = model is Touchpoint
    snapshot_sql = "SELECT 1"  # the UPDATE in WITH runs all the same
    if snapshot:
        snapshot_sql = SNAPSHOT_WRITE.format(
            table=snapshot._meta.db_table,
            owner=f"{model._meta.model_name}_id",
            components=", components" if with_components else "",
            set_components=", components = excluded.components" if with_components else "",
        )
    old, join_old = "", ""
    if changes:
        old = OLD_BANDS.format(table=model._meta.db_table)
        join_old = "JOIN old ON old.id = v.id"
        if snapshot:
            snapshot_sql = f", snapshots AS ({snapshot_sql})"
            snapshot_sql += CHANGED_BANDS
        else:
            snapshot_sql = CHANGED_BANDS
    sql = HEALTH_WRITE.format(
        table=model._meta.db_table,
        set_components=", health_components = v.components" if with_components else "",
        snapshot=snapshot_sql,
        old=old,
        join_old=join_old,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"rows": orjson.dumps(rows).decode(), "now": now, "day": now.date()})
        return [BandChange(*row) for row in cursor.fetchall()] if changes else []


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
            # Scores are derived and the claim commits with them: a crash that loses this
            # commit loses the claim too, so the touchpoints are scored again.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            DirtyTouchpoint.objects.filter(
                among(DirtyTouchpoint, "touchpoint_id", claimed)
            ).delete()
            total += rescore_touchpoints(claimed)


def among(model, column: str, ids: list) -> RawSQL:
    """`column` IN `ids` as `= ANY(%s)` with one array parameter: psycopg spends more time
    parsing a thousand placeholders than the database spends on the query, and the planner can
    then run the rollup sums in parallel."""
    qualified = f'"{model._meta.db_table}"."{column}"'
    return RawSQL(f"{qualified} = ANY(%s)", [list(ids)], output_field=BooleanField())


def mark_dirty(touchpoint_ids: Iterable) -> None:
    # Sorted: ingestion marks its touchpoints in this order, and two writers that insert the
    # same keys in different orders deadlock.
    DirtyTouchpoint.objects.bulk_create(
        [DirtyTouchpoint(touchpoint_id=tp) for tp in sorted(touchpoint_ids)],
        ignore_conflicts=True,
    )


def snapshots_backfill(workspace: Workspace, *, days: int) -> None:
    """Writes the daily snapshots of the past `days` days as they would have been scored then,
    e.g. after importing historical feedback. One aggregate query per day."""
    today = timezone.now().date()
    journey_of = dict(
        Touchpoint.objects.filter(workspace=workspace).values_list("id", "journey_id")
    )
    weights = touchpoint_weights(set(journey_of.values()))
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
