"""Clients that sync pull what arrived since their last call, `feedback/?received_after=`, in
arrival order, and never skip a row, even one whose transaction commits in the middle of a walk."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from feedback.models import Feedback
from tests.processes import process_env

URL = "/api/v1/feedback/"
EPOCH = "2000-01-01T00:00:00Z"


def post(client, touchpoint, n: int, prefix: str) -> None:
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    items = [
        {
            "external_id": f"{prefix}-{i}",
            "touchpoint": str(touchpoint.pk),
            "occurred_at": when,
            "nps": 9,
        }
        for i in range(n)
    ]
    assert client.post(URL, items, format="json").json()["accepted"] == n


def walk(client, params: str) -> tuple[list[str], str]:
    """Every row a client gets following `next` from `params`; and where it would resume."""
    seen, url = [], f"{URL}?{params}"
    while url:
        body = client.get(url).json()
        seen += [row["external_id"] for row in body["results"]]
        if body["results"]:
            last = body["results"][-1]
            resume = f"received_after={last['received_at']}&after_id={last['id']}"
        url = body["next"]
    return seen, resume if seen else params


@pytest.mark.django_db(transaction=True)
def test_a_walk_in_pages_sees_every_row_once_in_arrival_order(api, touchpoint):
    post(api, touchpoint, 5, "a")
    post(api, touchpoint, 3, "b")
    seen, resume = walk(api, f"received_after={EPOCH}&page_size=2")
    assert seen == [*(f"a-{i}" for i in range(5)), *(f"b-{i}" for i in range(3))]
    post(api, touchpoint, 2, "c")
    assert walk(api, resume)[0] == ["c-0", "c-1"]


@pytest.mark.django_db(transaction=True)
def test_a_row_that_commits_late_is_not_skipped(api, touchpoint):
    # A writer whose transaction started first and commits last: its row is received earlier
    # than rows that become visible before it.
    with psycopg.connect(process_env()["DATABASE_URL"]) as writer:
        writer.execute(
            "INSERT INTO feedback_feedback (workspace_id, journey_id, touchpoint_id, external_id,"
            " occurred_at, received_at, customer_ref, channel, nps, sentiment_pending, outcome,"
            " comment, source, metadata, is_negative)"
            " VALUES (%s, %s, %s, 'late', now() - interval '1 hour', now(), '', '', 9, false,"
            " '', '', '', '{}', false)",
            [touchpoint.workspace_id, touchpoint.journey_id, touchpoint.pk],
        )
        post(api, touchpoint, 2, "early")
        seen, resume = walk(api, f"received_after={EPOCH}")
        assert seen == []  # held back: the open transaction may still add rows before them
        writer.commit()
    seen, _ = walk(api, resume)
    assert seen == ["late", "early-0", "early-1"]
    assert Feedback.objects.count() == 3


@pytest.mark.parametrize(
    "query",
    [
        "received_after=yesterday",
        "received_after=2026-13-01",
        f"received_after={EPOCH}&after_id=-1",
    ],
)
def test_a_bad_cursor_is_a_400(api, query):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"received_after", "after_id"}


def test_it_is_scoped_to_the_callers_workspaces(api, outsider_api, touchpoint):
    post(api, touchpoint, 2, "ours")
    assert outsider_api.get(f"{URL}?received_after={EPOCH}").json()["results"] == []
