"""Faults: Redis unreachable from the web process, and a worker killed in the middle of a task.
Nothing accepted is lost, and the work completes once the fault is gone."""

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection

from feedback import tasks
from feedback.ingestion import feedback_ingest
from feedback.models import DirtyTouchpoint, Feedback
from feedback.scoring import mark_dirty
from tests.processes import (
    ROOT,
    celery_worker,
    gunicorn_server,
    private_redis,
    process_env,
    reset_broker,
    stop,
    wait_for,
)
from touchpoints.models import Touchpoint
from workspaces.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"


@pytest.fixture(autouse=True)
def empty_broker(django_db_setup):
    reset_broker()


def post_json(url: str, token: str, body) -> tuple[int, dict, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.load(response), time.monotonic() - started


def test_ingestion_answers_promptly_and_loses_nothing_while_redis_is_down(workspace, touchpoint):
    _, token = ApiToken.issue(workspace=workspace, name="survey tool", role="analyst")
    now = datetime.now(UTC)
    with gunicorn_server(REDIS_URL=CLOSED_PORT_REDIS) as base:
        for batch in range(3):
            items = [
                {
                    "external_id": f"b{batch}-{i}",
                    "touchpoint_key": "checkout",
                    "occurred_at": (now - timedelta(minutes=i)).isoformat(),
                    "nps": 2,
                    "comment": "Awful, the page crashed.",
                }
                for i in range(200)
            ]
            status, body, seconds = post_json(f"{base}/api/v1/feedback/", token, items)
            assert (status, body["accepted"], body["rejected"]) == (202, 200, [])
            assert seconds < 3, f"a request took {seconds:.1f}s with Redis down"
    assert Feedback.objects.count() == 600
    assert DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()
    touchpoint.refresh_from_db()
    assert touchpoint.health_score is None

    # Redis is back: the periodic sweeps (what beat sends every minute) catch up.
    with celery_worker():
        tasks.score_sentiment_task.delay()
        tasks.rescore_dirty_task.delay()

        def scored():
            touchpoint.refresh_from_db()
            return touchpoint.health_score is not None

        wait_for(scored, timeout=15, what="the sweep to score the touchpoint")
    # nps: 600 detractors → (−100 + 100) / 2 = 0; sentiment: VADER scores every comment < 0.
    assert touchpoint.health_band == "critical"
    assert touchpoint.health_components["nps"] == {"value": 0.0, "n": 600, "counts": True}
    assert touchpoint.health_components["sentiment"]["n"] == 600
    assert not DirtyTouchpoint.objects.exists()


def test_ingestion_answers_promptly_while_redis_hangs(workspace, touchpoint):
    """A frozen Redis accepts connections and never answers: publishes and cache calls must time
    out, and the rows are stored once all the same."""
    _, token = ApiToken.issue(workspace=workspace, name="survey tool", role="analyst")
    now = datetime.now(UTC).isoformat()
    with private_redis() as (redis_server, url), gunicorn_server(REDIS_URL=url) as base:
        redis_server.send_signal(signal.SIGSTOP)
        seconds = []
        for batch in range(3):
            items = [
                {
                    "external_id": f"h{batch}-{i}",
                    "touchpoint_key": "checkout",
                    "occurred_at": now,
                    "nps": 4,
                    "comment": "Slow.",
                }
                for i in range(100)
            ]
            status, body, took = post_json(f"{base}/api/v1/feedback/", token, items)
            assert (status, body["accepted"], body["rejected"]) == (202, 100, [])
            seconds.append(took)
    assert max(seconds) < 6, seconds  # one timeout at most
    assert sum(seconds[1:]) < 2, seconds  # then the broker is left alone for a while
    assert Feedback.objects.count() == 300
    assert DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()


def test_the_map_and_list_answer_promptly_while_redis_hangs(workspace, journey, touchpoint):
    """The answers kept in the cache (maps/conditional.py) are built instead, once the frozen
    Redis has timed out once."""
    _, token = ApiToken.issue(workspace=workspace, name="dashboard", role="viewer")
    paths = [f"/api/v1/journeys/{journey.id}/map/", f"/api/v1/touchpoints/?journey={journey.id}"]
    with private_redis() as (redis_server, url), gunicorn_server(REDIS_URL=url) as base:
        answered = [get_json(f"{base}{path}", token) for path in paths]
        (map_status, whole_map), (list_status, page) = answered
        assert (map_status, list_status) == (200, 200)
        assert whole_map["stages"] and page["results"][0]["key"] == touchpoint.key
        redis_server.send_signal(signal.SIGSTOP)
        seconds = []
        for _ in range(3):
            for path, before in zip(paths, answered, strict=True):
                started = time.monotonic()
                assert get_json(f"{base}{path}", token) == before
                seconds.append(time.monotonic() - started)
    assert max(seconds) < 6, seconds  # one timeout at most
    assert sum(seconds[1:]) < 2, seconds


def task_waits_for_journey_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE %s",
            ["%UPDATE journeys_journey%"],
        )
        return cursor.fetchone()[0] > 0


def test_a_scoring_task_killed_midway_completes_after_restart(journey, touchpoint):
    feedback_ingest(
        workspace=journey.workspace,
        items=[
            {"touchpoint_key": "checkout", "occurred_at": datetime.now(UTC).isoformat(), "csat": 5}
            for _ in range(5)
        ],
    )
    reset_broker()  # this test sends its own task
    mark_dirty([touchpoint.pk])

    # Hold the journey row so the task blocks halfway: touchpoints scored, dirty rows claimed,
    # nothing committed yet.
    with psycopg.connect(process_env()["DATABASE_URL"]) as blocker:  # closed even on failure
        blocker.execute("SELECT 1 FROM journeys_journey WHERE id = %s FOR UPDATE", [journey.pk])
        with celery_worker(CELERY_VISIBILITY_TIMEOUT="3") as worker:
            tasks.rescore_dirty_task.delay()
            wait_for(
                task_waits_for_journey_lock, timeout=10, what="the task to reach the locked row"
            )
            stop(worker, signal.SIGKILL)
        blocker.rollback()

    assert DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()
    assert Touchpoint.objects.get(pk=touchpoint.pk).health_score is None

    # A new worker gets the unacknowledged task again (acks_late) and finishes it.
    with celery_worker(CELERY_VISIBILITY_TIMEOUT="3"):

        def scored():
            return Touchpoint.objects.get(pk=touchpoint.pk).health_score

        assert wait_for(scored, timeout=30, what="the redelivered task") == 100.0
    assert not DirtyTouchpoint.objects.exists()


def test_the_app_answers_again_after_postgresql_restarts(postgres_dir):
    """PostgreSQL restarted between two requests (a private one, never the shared server): the
    app's next request reconnects instead of failing until gunicorn is restarted."""
    from scripts.run import database_url, embedded_postgres, stop_postgres

    server = embedded_postgres(data=postgres_dir / "postgres")
    url = database_url(server=server)
    try:
        env = process_env(DATABASE_URL=url)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        raw = (
            subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", CREATE_TOKEN],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with gunicorn_server(DATABASE_URL=url) as base:
            assert get_json(f"{base}/api/v1/journeys/", raw)[0] == 200
            stop_postgres(server=server)
            server = embedded_postgres(data=postgres_dir / "postgres")
            statuses = [get_json(f"{base}/api/v1/journeys/", raw)[0] for _ in range(3)]
            assert statuses == [200, 200, 200]
    finally:
        stop_postgres(server=server)


CREATE_TOKEN = """
from workspaces.models import ApiToken, Workspace
workspace = Workspace.objects.create(slug="w", name="W")
print(ApiToken.issue(workspace=workspace, name="t", role="viewer")[1])
"""


def get_json(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}
