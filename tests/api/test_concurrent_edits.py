"""Two people at once: concurrent moves keep every stage's positions a gapless permutation, and
concurrent saves of one touchpoint never overwrite each other silently."""

import random
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from journeys.models import Stage
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(work, count: int) -> list:
    """Runs work(i) in `count` threads at once; returns what each raised, if anything."""
    start, errors = threading.Barrier(count), []

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_moves_keep_positions_gapless(owner, journey, stages):
    for i in range(12):
        touchpoint_create(stage=stages[i % 3], name=f"T{i}", key=f"t{i}")
    ids = [str(pk) for pk in Touchpoint.objects.values_list("id", flat=True)]
    stage_ids = [str(stage.pk) for stage in stages]

    def mover(i: int) -> None:
        client = APIClient()
        client.force_login(owner)
        rng = random.Random(i)
        for _ in range(8):
            body = {"stage": rng.choice(stage_ids), "position": rng.randrange(6)}
            response = client.patch(f"/api/v1/touchpoints/{rng.choice(ids)}/", body, format="json")
            assert response.status_code == 200, response.content

    assert in_threads(mover, 6) == []
    for stage in Stage.objects.filter(journey=journey):
        positions = sorted(stage.touchpoints.values_list("position", flat=True))
        assert positions == list(range(len(positions))), stage.name
    assert Touchpoint.objects.count() == 12


def test_concurrent_saves_of_one_version_let_one_win_and_tell_the_others(owner, touchpoint):
    outcomes = []

    def saver(i: int) -> None:
        client = APIClient()
        client.force_login(owner)
        response = client.patch(
            f"/api/v1/touchpoints/{touchpoint.pk}/",
            {"name": f"Name {i}", "version": 1},
            format="json",
        )
        outcomes.append((response.status_code, i))

    assert in_threads(saver, 5) == []
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [200, 409, 409, 409, 409]
    winner = next(i for status, i in outcomes if status == 200)
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.version) == (f"Name {winner}", 2)
