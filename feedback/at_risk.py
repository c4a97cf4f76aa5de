"""At-risk customers (docs/health.md, the less-than-zero moment in the making): customers
with at least `at_risk_threshold` negative feedback records in the window across one journey.

Finding them all groups every negative feedback of the window, which takes seconds at millions
of rows, so it is done by a worker and stored: a rescore marks the journey's report stale
(`at_risk_mark_stale`), `at_risk_refresh_stale` finds the customers again, and reads come from
the stored report. A journey read before its first refresh, or after its workspace changed the
threshold or the window, is refreshed on the spot.

The refresh is incremental: whatever changes a customer's negative feedback marks the customer
(AtRiskDirtyCustomer) in the same transaction — ingestion's INSERT, the sentiment task, the
rollup rebuild's mended flags, a touchpoint's deletion (`at_risk_mark_customers`) — and the
refresh finds only the marked customers again, from the feedback_negative index, taking what
they added to the hotspots away and adding what they add now. All customers are found again
only on the first refresh, a changed threshold or window, and the first refresh of a UTC day,
when the window has moved."""

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice

import orjson
from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from feedback.models import AtRiskCustomer, AtRiskDirtyCustomer, AtRiskReport, Feedback
from feedback.signals import customers_at_risk
from feedback.window import Window, window_bounds
from journeys.models import Journey
from touchpoints.models import Touchpoint
from workspaces.models import Workspace


def negative_feedback(journey: Journey, window: Window):
    return Feedback.objects.filter(
        journey=journey,
        is_negative=True,
        occurred_at__gte=window.start,
        occurred_at__lt=window.end,
    ).exclude(customer_ref="")


def at_risk_mark_stale(journey_ids: Iterable) -> None:
    AtRiskReport.objects.bulk_create(
        [AtRiskReport(journey_id=journey_id, stale=True) for journey_id in sorted(journey_ids)],
        update_conflicts=True,
        unique_fields=["journey"],
        update_fields=["stale"],
    )


def at_risk_refresh_stale() -> int:
    """Refreshes the stale reports one journey at a time; SKIP LOCKED lets workers share them,
    and a crash rolls a refresh back with its claim."""
    refreshed = 0
    while True:
        with transaction.atomic():
            report = (
                AtRiskReport.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("journey__workspace")
                .filter(stale=True)
                .first()
            )
            if report is None:
                return refreshed
            _refresh(report)
        refreshed += 1


# The customers of the journey found again (all of them, or those marked since the last
# refresh when {among} narrows the delete and the counts to them), in one statement: the
# customers go from one INSERT … SELECT … GROUP BY, never through Python. It returns how many
# rows it deleted and inserted, who was not at risk before (to be announced), and what the
# deleted and inserted customers added to the hotspots, {touchpoint_id: negative_count}.
AT_RISK_WRITE = """
WITH claimed AS (
    DELETE FROM feedback_atriskdirtycustomer WHERE journey_id = %s RETURNING customer_ref
), old AS (
    DELETE FROM feedback_atriskcustomer WHERE journey_id = %s {among}
    RETURNING customer_ref, touchpoint_counts
), counts AS ({counts}), found AS (
    INSERT INTO feedback_atriskcustomer (
        journey_id, customer_ref, negative_count, last_at, touchpoint_counts
    )
    SELECT %s, customer_ref, sum(n), max(last_at), jsonb_object_agg(touchpoint_id, n)
    FROM counts GROUP BY customer_ref HAVING sum(n) >= %s
    RETURNING customer_ref, negative_count, touchpoint_counts
)
SELECT
    (SELECT count(*) FROM old),
    (SELECT count(*) FROM found),
    (SELECT coalesce(jsonb_agg(jsonb_build_array(customer_ref, negative_count)), '[]')
     FROM found WHERE customer_ref NOT IN (SELECT customer_ref FROM old)),
    (SELECT coalesce(jsonb_object_agg(key, n), '{{}}') FROM (
        SELECT key, sum(value::int) AS n FROM old, jsonb_each_text(touchpoint_counts) GROUP BY key
    ) AS removed),
    (SELECT coalesce(jsonb_object_agg(key, n), '{{}}') FROM (
        SELECT key, sum(value::int) AS n FROM found, jsonb_each_text(touchpoint_counts) GROUP BY key
    ) AS added)
"""
AMONG_CLAIMED = "AND customer_ref IN (SELECT customer_ref FROM claimed)"


def _refresh(report: AtRiskReport) -> None:
    """Stores the journey's customers at risk and hotspots, and announces those who were not at
    risk before (customers_at_risk). Only the customers marked since the last refresh are found
    again, unless this is the journey's first refresh, its threshold or window changed, or a new
    UTC day moved the window: then all of them (feedback.at_risk says which paths mark). The
    caller holds the report's lock."""
    journey = report.journey
    workspace = journey.workspace
    now = timezone.now()
    window = window_bounds(workspace.window_days, now.date())
    full = not _found_with_settings(report, workspace) or report.computed_at.date() != now.date()
    counts = (
        negative_feedback(journey, window)
        .values("customer_ref", "touchpoint_id")
        .annotate(n=Count("id"), last_at=Max("occurred_at"))
        .order_by()
    )
    among = ""
    if not full:
        among = AMONG_CLAIMED
        counts = counts.filter(customer_ref__in=RawSQL("SELECT customer_ref FROM claimed", []))
    select, params = counts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            AT_RISK_WRITE.format(among=among, counts=select),
            [journey.pk, journey.pk, *params, journey.pk, workspace.at_risk_threshold],
        )
        removed, inserted, crossed, removed_counts, inserted_counts = cursor.fetchone()
    # Django reads jsonb as text.
    crossed, removed_counts, inserted_counts = map(
        orjson.loads, (crossed, removed_counts, inserted_counts)
    )
    if full:
        hotspots, report.customer_count = Counter(), 0
    else:
        hotspots = Counter(dict(report.hotspots))
        hotspots.subtract(removed_counts)
        report.customer_count -= removed
    hotspots.update(inserted_counts)
    report.customer_count += inserted
    report.hotspots = sorted(
        ([touchpoint_id, count] for touchpoint_id, count in hotspots.items() if count > 0),
        key=_most_first,
    )
    report.stale = False
    report.computed_at = now
    report.threshold = workspace.at_risk_threshold
    report.window_days = workspace.window_days
    report.save()
    if crossed:
        customers_at_risk.send(
            sender=AtRiskReport,
            journey_id=journey.pk,
            window=window,
            customers=[(customer_ref, count) for customer_ref, count in crossed],
        )


def _most_first(hotspot: list) -> tuple:
    touchpoint_id, count = hotspot
    return -count, touchpoint_id


def _found_with_settings(report: AtRiskReport, workspace: Workspace) -> bool:
    """Whether the report was found, with its workspace's current threshold and window."""
    return (
        report.computed_at is not None
        and report.threshold == workspace.at_risk_threshold
        and report.window_days == workspace.window_days
    )


def at_risk_mark_customers(feedback: QuerySet) -> None:
    """Marks the customers of these feedback rows for the next refresh of their journeys'
    reports, and those reports stale: for the paths that change negative feedback other than
    ingestion (whose INSERT marks its customers itself, and whose rescore marks the reports)."""
    customers = (
        feedback.exclude(customer_ref="")
        .values_list("journey_id", "customer_ref")
        .distinct()
        .order_by("journey_id", "customer_ref")
    )
    select, params = customers.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AtRiskDirtyCustomer._meta.db_table} (journey_id, customer_ref) "
            f"{select} RETURNING journey_id",
            params,
        )
        journey_ids = {journey_id for (journey_id,) in cursor.fetchall()}
    at_risk_mark_stale(journey_ids)


def _current_report(journey: Journey) -> AtRiskReport:
    """The stored report, refreshed first when it was never computed or its settings changed."""
    workspace = journey.workspace

    def usable(report: AtRiskReport | None) -> bool:
        return report is not None and _found_with_settings(report, workspace)

    report = AtRiskReport.objects.filter(journey=journey).first()
    if usable(report):
        return report
    with transaction.atomic():
        report, _ = AtRiskReport.objects.select_for_update().get_or_create(journey=journey)
        if not usable(report):  # else another request refreshed it while this one waited
            report.journey = journey
            _refresh(report)
    return report


def at_risk_customers(journey: Journey, *, limit: int = 100) -> dict:
    """The journey's report: every customer at risk counted, the first `limit` listed (most bad
    experiences first) with the touchpoints where they happened, and the hotspots."""
    report = _current_report(journey)
    customers = list(
        AtRiskCustomer.objects.filter(journey=journey)
        .order_by("-negative_count", "-last_at", "customer_ref")
        .values("customer_ref", "negative_count", "last_at")[:limit]
    )
    names = _touchpoint_names(journey)
    _add_touchpoints(journey, report, customers, names)
    return {
        "threshold": report.threshold,
        "window_days": report.window_days,
        "computed_at": report.computed_at,
        "customer_count": report.customer_count,
        "customers": customers,
        "hotspots": [
            {**names[touchpoint_id], "negative_count": count}
            for touchpoint_id, count in report.hotspots
            if touchpoint_id in names  # a touchpoint deleted since
        ],
    }


def _touchpoint_names(journey: Journey) -> dict[str, dict]:
    return {
        str(tp["id"]): tp
        for tp in Touchpoint.objects.filter(journey=journey).values("id", "key", "name")
    }


def _add_touchpoints(
    journey: Journey, report: AtRiskReport, customers: list[dict], names: dict
) -> None:
    """Adds to each customer the touchpoints of their bad experiences, in one query for all."""
    touchpoints_of: dict[str, list] = {customer["customer_ref"]: [] for customer in customers}
    window = window_bounds(report.window_days, report.computed_at.date())
    for customer_ref, touchpoint_id in (
        negative_feedback(journey, window)
        .filter(customer_ref__in=touchpoints_of)
        .values_list("customer_ref", "touchpoint_id")
        .distinct()
    ):
        if str(touchpoint_id) in names:
            touchpoints_of[customer_ref].append(names[str(touchpoint_id)])
    for customer in customers:
        customer["touchpoints"] = sorted(touchpoints_of[customer["customer_ref"]], key=_by_name)


def at_risk_customer_stream(journey: Journey, *, limit: int | None = None) -> Iterator[dict]:
    """at_risk_customers' customers, every one of them (or the first `limit`), for exports:
    the report is made current at once, and the customers then come a thousand a query."""
    report = _current_report(journey)
    customers = (
        AtRiskCustomer.objects.filter(journey=journey)
        .order_by("-negative_count", "-last_at", "customer_ref")
        .values("customer_ref", "negative_count", "last_at")
    )
    if limit is not None:
        customers = customers[:limit]

    def stream():
        names = _touchpoint_names(journey)
        rows = customers.iterator(chunk_size=1000)
        while batch := list(islice(rows, 1000)):
            _add_touchpoints(journey, report, batch, names)
            yield from batch

    return stream()


def _by_name(touchpoint: dict) -> str:
    return touchpoint["name"]


def at_risk_counts(journey_ids: list) -> dict:
    """{journey_id: customers at risk} as last found, in one query."""
    return dict(
        AtRiskReport.objects.filter(journey_id__in=journey_ids).values_list(
            "journey_id", "customer_count"
        )
    )


def customer_bad_experiences(journey: Journey, customer_refs: list[str]) -> dict[str, list]:
    """{customer_ref: their negative feedback in the window, oldest first}, in one query for all
    the customers: the story of how each of them came to be at risk."""
    rows = (
        negative_feedback(journey, window_bounds(journey.workspace.window_days))
        .filter(customer_ref__in=customer_refs)
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
