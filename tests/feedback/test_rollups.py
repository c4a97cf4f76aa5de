"""Daily rollups: what ingestion keeps current, batch by batch, is exactly what rollup_rebuild()
computes again from the raw rows, the source of truth."""

from datetime import timedelta

import pytest
from django.db import transaction

from feedback.ingestion import feedback_ingest
from feedback.models import DailyRollup, Feedback
from feedback.rollups import rollup_rebuild
from tests.feedback.health_data import TODAY, at, each, ingest
from touchpoints.services import touchpoint_create

D1 = TODAY - timedelta(days=2)
ZERO = {
    "responses": 0,
    "nps_n": 0,
    "promoters": 0,
    "detractors": 0,
    "csat_n": 0,
    "csat_top2": 0,
    "ces_n": 0,
    "ces_sum": 0,
    "sentiment_n": 0,
    "sentiment_sum": 0.0,
    "outcome_n": 0,
    "resolved": 0,
    "negative": 0,
}
# Hand-made, with external ids; its rows land on three UTC days.
BATCH = [
    # D1: promoter, top-2, ces 7, sentiment 0.5, resolved
    {
        "external_id": "e1",
        "occurred_at": at(D1, 9),
        "nps": 10,
        "csat": 5,
        "ces": 7,
        "sentiment": 0.5,
        "outcome": "resolved",
    },
    # D1: detractor, csat 2, ces 3, sentiment −0.5, unresolved: negative
    {
        "external_id": "e2",
        "occurred_at": at(D1, 23, 59, 59),
        "nps": 6,
        "csat": 2,
        "ces": 3,
        "sentiment": -0.5,
        "outcome": "unresolved",
    },
    # D1: passive nps 8 and a comment (sentiment pending, so not in sentiment_n)
    {"external_id": "e3", "occurred_at": at(D1), "nps": 8, "comment": "It was ok"},
    # 23:30 at −02:00 on D1 is 01:30 UTC on D1 + 1
    {"external_id": "e4", "occurred_at": f"{D1.isoformat()}T23:30:00-02:00", "csat": 4},
    # 00:30 at +02:00 on D1 is 22:30 UTC on D1 − 1: abandoned, negative
    {
        "external_id": "e5",
        "occurred_at": f"{D1.isoformat()}T00:30:00+02:00",
        "outcome": "abandoned",
    },
]


@pytest.fixture
def delivery(stages):
    return touchpoint_create(stage=stages[3], name="Delivery", key="delivery")


def rollup_rows() -> list[dict]:
    rows = DailyRollup.objects.order_by("touchpoint_id", "day").values(
        "touchpoint_id", "day", *ZERO
    )
    # sums of floats may differ in the last bits with the order of addition
    return [{**row, "sentiment_sum": round(row["sentiment_sum"], 9)} for row in rows]


def rollup_of(touchpoint, day) -> dict:
    return DailyRollup.objects.filter(touchpoint=touchpoint, day=day).values(*ZERO).get()


def test_ingestion_keeps_hand_computed_rollups(workspace, touchpoint):
    ingest(workspace, BATCH, touchpoint_key="checkout")
    # e1 + e2 + e3
    assert rollup_of(touchpoint, D1) == {
        **ZERO,
        "responses": 3,
        "nps_n": 3,  # 10, 6, 8
        "promoters": 1,  # 10
        "detractors": 1,  # 6
        "csat_n": 2,  # 5, 2
        "csat_top2": 1,  # 5
        "ces_n": 2,
        "ces_sum": 10,  # 7 + 3
        "sentiment_n": 2,
        "sentiment_sum": 0.0,  # 0.5 − 0.5
        "outcome_n": 2,
        "resolved": 1,
        "negative": 1,  # e2
    }
    # e4
    assert rollup_of(touchpoint, D1 + timedelta(days=1)) == {
        **ZERO,
        "responses": 1,
        "csat_n": 1,
        "csat_top2": 1,
    }
    # e5
    assert rollup_of(touchpoint, D1 - timedelta(days=1)) == {
        **ZERO,
        "responses": 1,
        "outcome_n": 1,
        "negative": 1,
    }
    assert DailyRollup.objects.count() == 3


def test_rebuild_gives_the_rows_ingestion_produced(workspace, touchpoint, delivery):
    ingest(workspace, BATCH, touchpoint_key="checkout")
    # no external ids: stored each time they are sent
    no_keys = each("ces", [1, 2, 3, 4, 5, 6, 7]) + each("sentiment", [0.1, 0.2, -0.7])
    ingest(workspace, no_keys, touchpoint_key="delivery", occurred_at=at(D1, 12))
    ingest(workspace, no_keys, touchpoint_key="delivery", occurred_at=at(TODAY, 1))
    ingest(workspace, no_keys[:4], touchpoint_key="checkout", occurred_at=at(D1, 13))
    incremental = rollup_rows()

    assert rollup_rebuild() == len(incremental)
    assert rollup_rows() == incremental


def test_rebuild_after_duplicate_batches(workspace, touchpoint, delivery):
    ingest(workspace, BATCH, touchpoint_key="checkout")
    once = rollup_rows()

    # the same batch again: all duplicates, the rollups do not move
    result = feedback_ingest(
        workspace=workspace, items=[{**item, "touchpoint_key": "checkout"} for item in BATCH]
    )
    assert (result.accepted, result.duplicates) == (0, 5)
    assert rollup_rows() == once

    # a batch repeating a stored id and an id of its own: one new row
    result = feedback_ingest(
        workspace=workspace,
        items=[
            {"external_id": "e1", "touchpoint_key": "delivery", "occurred_at": at(D1), "nps": 0},
            {"external_id": "n1", "touchpoint_key": "delivery", "occurred_at": at(D1), "nps": 9},
            {"external_id": "n1", "touchpoint_key": "delivery", "occurred_at": at(D1), "nps": 9},
        ],
    )
    assert (result.accepted, result.duplicates) == (1, 2)
    assert rollup_of(delivery, D1) == {**ZERO, "responses": 1, "nps_n": 1, "promoters": 1}
    incremental = rollup_rows()

    rollup_rebuild()
    assert rollup_rows() == incremental
    assert Feedback.objects.count() == 6


def test_rebuild_repairs_wrong_and_missing_rows(workspace, touchpoint):
    ingest(workspace, BATCH, touchpoint_key="checkout")
    right = rollup_rows()
    DailyRollup.objects.filter(day=D1).update(responses=999, negative=0)
    DailyRollup.objects.filter(day=D1 - timedelta(days=1)).delete()
    DailyRollup.objects.create(touchpoint=touchpoint, day=TODAY, responses=5)  # no feedback

    rollup_rebuild()
    assert rollup_rows() == right


def test_rebuild_of_some_touchpoints_and_days(workspace, touchpoint, delivery):
    ingest(workspace, BATCH, touchpoint_key="checkout")
    ingest(workspace, each("nps", [9, 9]), touchpoint_key="delivery", occurred_at=at(D1, 8))
    right = rollup_rows()
    DailyRollup.objects.update(responses=999)

    # checkout on D1 only
    assert rollup_rebuild(touchpoint_ids=[touchpoint.pk], days=[D1]) == 1
    assert rollup_of(touchpoint, D1)["responses"] == 3
    assert rollup_of(touchpoint, D1 + timedelta(days=1))["responses"] == 999
    assert rollup_of(delivery, D1)["responses"] == 999

    # every day between the first and last given
    days = [D1 + timedelta(days=1), D1 - timedelta(days=1)]
    assert rollup_rebuild(touchpoint_ids=[touchpoint.pk], days=days) == 3
    assert rollup_of(delivery, D1)["responses"] == 999

    rollup_rebuild(touchpoint_ids=[delivery.pk])
    assert rollup_rows() == right


def test_batches_in_one_transaction_are_each_stored_once(workspace, touchpoint):
    # an import stores its chunks, and a test its batches, inside an enclosing transaction
    with transaction.atomic():
        ingest(workspace, each("nps", [10, 10]), touchpoint_key="checkout")
        ingest(workspace, each("nps", [0, 0, 0]), touchpoint_key="checkout")
    assert Feedback.objects.count() == 5
    rollup = DailyRollup.objects.get()
    assert (rollup.responses, rollup.promoters, rollup.detractors) == (5, 2, 3)
