"""Feedback has no database foreign key to its touchpoint (a quarter of a bulk insert's cost):
ingestion checks the batch's touchpoints in its INSERT and locks them until it commits, and a
touchpoint's deletion waits for that lock, so no feedback outlives its touchpoint."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from feedback.ingestion import feedback_store_started, validate_batch
from feedback.models import Feedback
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_delete

pytestmark = pytest.mark.django_db(transaction=True)


def items(key: str, count: int) -> list[dict]:
    now = datetime.now(UTC).isoformat()
    return [{"touchpoint_key": key, "occurred_at": now, "csat": 1} for _ in range(count)]


def orphans() -> int:
    return Feedback.objects.exclude(touchpoint_id__in=Touchpoint.objects.values("id")).count()


def test_a_touchpoint_deleted_after_validation_gets_no_rows(workspace, touchpoint, delivery):
    batch = validate_batch(workspace, items("checkout", 3) + items("delivery", 2))
    touchpoint_delete(touchpoint=touchpoint)
    with transaction.atomic(), feedback_store_started(batch) as stored:
        result = stored()
    assert result.accepted == 2
    assert Feedback.objects.filter(touchpoint=delivery).count() == 2
    assert orphans() == 0


def test_a_deletion_waits_for_the_batch_in_flight_and_takes_its_rows(workspace, touchpoint):
    batch = validate_batch(workspace, items("checkout", 50))
    stored_in_flight, deleted = threading.Event(), threading.Event()

    def delete() -> None:
        try:
            stored_in_flight.wait(10)
            touchpoint_delete(touchpoint=Touchpoint.objects.get(pk=touchpoint.pk))
            deleted.set()
        finally:
            connection.close()

    deleter = threading.Thread(target=delete)
    deleter.start()
    with transaction.atomic(), feedback_store_started(batch) as stored:
        assert stored().accepted == 50
        stored_in_flight.set()
        # The batch holds its touchpoint until it commits: the deletion waits.
        assert not deleted.wait(1.5)
    deleter.join(10)
    assert deleted.is_set()
    assert not Touchpoint.objects.filter(pk=touchpoint.pk).exists()
    assert Feedback.objects.count() == 0
    assert orphans() == 0
