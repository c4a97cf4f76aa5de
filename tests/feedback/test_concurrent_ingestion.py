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

from feedback.at_risk import at_risk_refresh_stale
from feedback.ingestion import feedback_ingest
from feedback.models import DailyRollup, Feedback
from feedback.scoring import rescore_dirty
from feedback.sentiment import score_pending_sentiment
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
