"""Daily rollups rebuilt from the raw feedback rows, the source of truth."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from feedback.at_risk import at_risk_mark_customers
from feedback.models import DailyRollup, Feedback
from feedback.negative import negative_q

ROLLUP_AGGREGATES = {
    "responses": Count("id"),
    "nps_n": Count("nps"),
    "promoters": Count("id", filter=Q(nps__gte=9)),
    "detractors": Count("id", filter=Q(nps__lte=6)),
    "csat_n": Count("csat"),
    "csat_top2": Count("id", filter=Q(csat__gte=4)),
    "ces_n": Count("ces"),
    "ces_sum": Coalesce(Sum("ces"), 0),
    "sentiment_n": Count("sentiment"),
    "sentiment_sum": Coalesce(Sum("sentiment"), 0.0),
    "outcome_n": Count("id", filter=~Q(outcome="")),
    "resolved": Count("id", filter=Q(outcome="resolved")),
    "negative": Count("id", filter=negative_q()),
}


@transaction.atomic
def rollup_rebuild(*, touchpoint_ids: Iterable | None = None, days: Iterable[date] = ()) -> int:
    """Recomputes rollup rows from raw feedback: of the given touchpoints (all when None),
    between the first and last of `days` when given. Returns the rows written."""
    rollups = DailyRollup.objects.all()
    feedback = Feedback.objects.all()
    if touchpoint_ids is not None:
        touchpoint_ids = list(touchpoint_ids)
        rollups = rollups.filter(touchpoint_id__in=touchpoint_ids)
        feedback = feedback.filter(touchpoint_id__in=touchpoint_ids)
    days = sorted(days)
    if days:
        rollups = rollups.filter(day__gte=days[0], day__lte=days[-1])
        feedback = feedback.filter(
            occurred_at__gte=datetime.combine(days[0], time.min, tzinfo=UTC),
            occurred_at__lt=datetime.combine(days[-1], time.min, tzinfo=UTC) + timedelta(days=1),
        )
    rollups.delete()
    # The stored flag is derived from the raw values too; mend any that disagree with the rule,
    # and find the customers of the mended rows at risk again.
    for wrong, right in (
        (feedback.filter(negative_q(), is_negative=False), True),
        (feedback.exclude(negative_q()).filter(is_negative=True), False),
    ):
        at_risk_mark_customers(wrong)
        wrong.update(is_negative=right)
    rows = (
        feedback.annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("touchpoint_id", "day")
        .annotate(**ROLLUP_AGGREGATES)
        .order_by()
    )
    created = DailyRollup.objects.bulk_create((DailyRollup(**row) for row in rows), batch_size=2000)
    return len(created)
