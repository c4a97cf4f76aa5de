"""Feedback and customers at risk as rows for CSV (config.csv_export writes them): streamed
from server-side cursors, so an export of millions of rows holds a few thousand at a time."""

from collections.abc import Iterable, Iterator
from itertools import islice

import orjson
from django.db.models import QuerySet

from feedback.at_risk import at_risk_customer_stream
from journeys.models import Journey

FEEDBACK_COLUMNS = [
    "id",
    "external_id",
    "journey",
    "touchpoint",
    "touchpoint_key",
    "occurred_at",
    "received_at",
    "customer_ref",
    "channel",
    "nps",
    "csat",
    "ces",
    "sentiment",
    "outcome",
    "comment",
    "source",
    "metadata",
    "is_negative",
]
AT_RISK_COLUMNS = ["customer_ref", "negative_count", "last_at", "touchpoints", "touchpoint_keys"]
CHUNK = 2_000


def batched(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def feedback_rows(feedback: QuerySet) -> Iterator[list]:
    """The rows of FEEDBACK_COLUMNS for a queryset of feedback, in its order."""
    columns = [name if name != "touchpoint_key" else "touchpoint__key" for name in FEEDBACK_COLUMNS]
    columns = [f"{name}_id" if name in ("journey", "touchpoint") else name for name in columns]
    metadata = FEEDBACK_COLUMNS.index("metadata")
    for row in feedback.values_list(*columns).iterator(chunk_size=CHUNK):
        row = list(row)
        row[metadata] = orjson.dumps(row[metadata]).decode() if row[metadata] else ""
        yield row


def at_risk_rows(journey: Journey, *, limit: int | None = None) -> Iterator[list]:
    """The rows of AT_RISK_COLUMNS: every customer at risk (or the first `limit`), most bad
    experiences first, with the touchpoints where they happened."""
    customers = at_risk_customer_stream(journey, limit=limit)

    def rows():
        for customer in customers:
            touchpoints = customer["touchpoints"]
            yield [
                customer["customer_ref"],
                customer["negative_count"],
                customer["last_at"],
                "; ".join(touchpoint["name"] for touchpoint in touchpoints),
                "; ".join(touchpoint["key"] for touchpoint in touchpoints),
            ]

    return rows()
