"""Batches stored while sentiment scoring and the scoring worker (rescore, at-risk refresh)
write the same rollups, dirty touchpoints and customers: every writer takes its locks in
ingestion's order, so none deadlocks (an import under API load found the orders apart), and
the rollups add up."""

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from feedback.at_risk import at_risk_customers, at_risk_mark_stale, at_risk_refresh_stale
from feedback.ingestion import feedback_ingest
from feedback.models import DailyRollup, Feedback
from feedback.scoring import rescore_dirty
from feedback.sentiment import score_pending_sentiment
from tests.feedback.health_data import each, freeze_now, ingest
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS, SIZE = 12, 300


def batch(rng: random.Random, keys: list[str], prefix: str) -> list[dict]:
    now = datetime.now(UTC)
    return [
        {
            "external_id": f"{prefix}-{i}",
            "touchpoint_key": rng.choice(keys),
            "occurred_at": (now - timedelta(days=rng.randrange(3))).isoformat(),
            "customer_ref": f"c-{rng.randrange(40)}",
            "csat": rng.choice([1, 2, 4, 5]),
            "comment": rng.choice(["Awful, nobody answered.", "Great, thank you!"]),
        }
        for i in range(SIZE)
    ]


def test_ingestion_and_sentiment_scoring_at_once_never_deadlock(workspace, stages):
    keys = [f"tp-{i}" for i in range(6)]
    for key in keys:
        touchpoint_create(stage=stages[0], name=key, key=key)
    errors, stop = [], threading.Event()

    def ingest(name: str, hold: float) -> None:
        rng = random.Random(name)
        try:
            for round_ in range(ROUNDS):
                items = batch(rng, keys, f"{name}-{round_}")
                # An import holds its batch's transaction while it validates the next one.
                with transaction.atomic():
                    assert feedback_ingest(workspace=workspace, items=items).accepted == SIZE
                    time.sleep(hold)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    def worker(work) -> None:
        try:
            while not stop.is_set():
                work()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def rescore_and_refresh() -> None:  # the scoring worker
        rescore_dirty()
        at_risk_refresh_stale()

    workers = [
        threading.Thread(target=worker, args=(work,))
        for work in (score_pending_sentiment, rescore_and_refresh)
    ]
    ingesters = [
        threading.Thread(target=ingest, args=(name, hold))
        for name, hold in (("api", 0), ("import", 0.2))
    ]
    for thread in workers + ingesters:
        thread.start()
    for thread in ingesters:
        thread.join()
    stop.set()
    for thread in workers:
        thread.join()
    score_pending_sentiment()

    assert [str(error) for error in errors] == []
    total = 2 * ROUNDS * SIZE
    assert Feedback.objects.count() == total
    sums = DailyRollup.objects.aggregate(responses=Sum("responses"), sentiment=Sum("sentiment_n"))
    assert sums == {"responses": total, "sentiment": total}
    negative = DailyRollup.objects.aggregate(n=Sum("negative"))["n"]
    assert negative == Feedback.objects.filter(is_negative=True).count()


def test_a_refresh_while_a_batch_is_uncommitted_loses_none_of_its_customers(
    monkeypatch, workspace, journey, touchpoint
):
    """ana was marked by an earlier batch; a refresh claims that mark while a second batch
    of hers is stored but not committed, and cannot count it yet. The second batch's own mark
    survives for the next refresh (a unique mark it skipped on conflict did not)."""
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1]), touchpoint_key="checkout", customer_ref="ana")
    at_risk_mark_stale([journey.pk])
    at_risk_refresh_stale()  # the day's full refresh
    ingest(workspace, each("nps", [2]), touchpoint_key="checkout", customer_ref="ana")
    stored, go_on, errors = threading.Event(), threading.Event(), []

    def uncommitted_batch() -> None:
        try:
            with transaction.atomic():
                ingest(workspace, each("nps", [3]), touchpoint_key="checkout", customer_ref="ana")
                stored.set()
                assert go_on.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=uncommitted_batch)
    writer.start()
    assert stored.wait(timeout=30)
    at_risk_mark_stale([journey.pk])
    at_risk_refresh_stale()  # sees ana's 2 committed bad experiences
    go_on.set()
    writer.join(timeout=30)
    assert errors == []

    at_risk_mark_stale([journey.pk])
    at_risk_refresh_stale()
    report = at_risk_customers(journey)
    assert [(c["customer_ref"], c["negative_count"]) for c in report["customers"]] == [("ana", 3)]
