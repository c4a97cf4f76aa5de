"""Touchpoints with their health and moments of truth as rows for CSV (config.csv_export
writes them), a thousand touchpoints a query."""

from collections.abc import Iterator

from django.db.models import QuerySet

from feedback.exports import batched
from moments.models import Moment

TOUCHPOINT_COLUMNS = [
    "journey",
    "stage",
    "position",
    "key",
    "name",
    "channel",
    "owner",
    "expected_emotion",
    "score",
    "band",
    "n",
    "moments",
    "description",
    "pain_points",
    "opportunities",
]
VALUES = [
    "id",
    "journey__name",
    "stage__name",
    "position",
    "key",
    "name",
    "channel",
    "owner",
    "expected_emotion",
    "health_score",
    "health_band",
    "health_n",
    "description",
    "pain_points",
    "opportunities",
]
CHUNK = 1_000


def touchpoint_rows(touchpoints: QuerySet) -> Iterator[list]:
    """The rows of TOUCHPOINT_COLUMNS for a queryset of touchpoints, in its order; `moments`
    is each tag as `type:impact`, e.g. `fmot:5 tmot:3`."""
    moments_at = VALUES.index("health_n") + 1
    for batch in batched(touchpoints.values_list(*VALUES).iterator(chunk_size=CHUNK), CHUNK):
        moments: dict = {}
        for touchpoint_id, moment_type, impact in (
            Moment.objects.filter(touchpoint_id__in=[row[0] for row in batch])
            .order_by("touchpoint_id", "type")
            .values_list("touchpoint_id", "type", "impact")
        ):
            moments.setdefault(touchpoint_id, []).append(f"{moment_type}:{impact}")
        for row in batch:
            tags = " ".join(moments.get(row[0], []))
            yield [*row[1:moments_at], tags, *row[moments_at:]]
