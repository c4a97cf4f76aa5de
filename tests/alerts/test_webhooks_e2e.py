"""Webhooks end to end: feedback POSTed over the API drives a moment of truth critical, a real
Celery worker rescores it and delivers the events, signed, to a receiver on loopback, which
fails once and gets the retry; and an event made while the broker is down waits in the database
until a worker's sweep delivers it."""

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from alerts import tasks
from alerts.models import Delivery
from alerts.services import webhook_create
from feedback.scoring import rescore_journeys
from tests.alerts.receiver import receiver
from tests.processes import celery_worker, gunicorn_server, reset_broker, wait_for
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create
from workspaces.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"


def test_a_critical_moment_is_delivered_signed_and_retried_after_a_500(
    api, settings, touchpoint, moment
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    reset_broker()
    with receiver(500) as hook, celery_worker(WEBHOOK_ALLOW_PRIVATE="1"):
        created = api.post(
            "/api/v1/webhooks/",
            {"url": hook.url, "events": ["moment.critical", "touchpoint.band_changed"]},
            format="json",
        ).json()
        now = datetime.now(UTC)
        bad = [
            {
                "touchpoint_key": "checkout",
                "occurred_at": (now - timedelta(minutes=i)).isoformat(),
                "nps": 1,
            }
            for i in range(5)
        ]
        assert api.post("/api/v1/feedback/", bad, format="json").status_code == 202
        # Two events; the first answer was a 500, so one of them comes again 5 s later.
        wait_for(lambda: len(hook.requests) >= 3, timeout=30, what="three deliveries")
        time.sleep(0.5)  # nothing more is on its way

    assert len(hook.requests) == 3
    assert all(request.signed_by(created["secret"]) for request in hook.requests)
    failed, *rest = hook.requests
    retried = [
        r for r in rest if r.headers["X-Truthmap-Delivery"] == failed.headers["X-Truthmap-Delivery"]
    ]
    assert [r.body for r in retried] == [failed.body]
    bodies = {r.headers["X-Truthmap-Event"]: orjson.loads(r.body) for r in hook.requests}
    assert set(bodies) == {"moment.critical", "touchpoint.band_changed"}
    critical = bodies["moment.critical"]
    assert critical["workspace"] == "acme"
    assert all(
        orjson.loads(r.body)["id"] == int(r.headers["X-Truthmap-Delivery"]) for r in hook.requests
    )
    assert critical["data"]["touchpoint"] == {
        "id": str(touchpoint.pk),
        "key": "checkout",
        "name": "Checkout",
    }
    assert (critical["data"]["from"], critical["data"]["to"]) == ("no_data", "critical")
    assert (critical["data"]["score"], critical["data"]["moments"]) == (0.0, ["fmot"])

    deliveries = api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()["results"]
    assert {d["status"] for d in deliveries} == {"delivered"}
    logs = sorted([a["status_code"] for a in d["attempts"]] for d in deliveries)
    assert logs == [[200], [500, 200]]


def post_json(url: str, token: str, body) -> tuple[int, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, time.monotonic() - started


def test_an_event_made_while_the_broker_is_down_is_delivered_by_the_sweep(
    settings, workspace, journey, stages
):
    # Scores as a past rescore left them: (80 + 30) / 2 = 55, at risk.
    healthy = touchpoint_create(stage=stages[1], name="Reviews", key="reviews")
    weak = touchpoint_create(stage=stages[2], name="Checkout", key="checkout")
    Touchpoint.objects.filter(pk=healthy.pk).update(
        health_score=80, health_band="healthy", health_n=9
    )
    Touchpoint.objects.filter(pk=weak.pk).update(
        health_score=30, health_band="critical", health_n=9
    )
    rescore_journeys([journey.pk])
    _, token = ApiToken.issue(workspace=workspace, name="analyst tool", role="analyst")

    with receiver() as hook:
        settings.WEBHOOK_ALLOW_PRIVATE = True
        webhook, secret = webhook_create(
            workspace=workspace, url=hook.url, events=["journey.band_changed"]
        )
        with gunicorn_server(REDIS_URL=CLOSED_PORT_REDIS) as base:
            # Tagging the weak touchpoint weighs it 1 + 5: (80 + 30 × 6) / 7 = 37.1, critical.
            status, seconds = post_json(
                f"{base}/api/v1/moments/",
                token,
                {"touchpoint": str(weak.pk), "type": "fmot", "impact": 5},
            )
            assert status == 201
            assert seconds < 3, f"the tag took {seconds:.1f} s with Redis down"
        [waiting] = Delivery.objects.filter(webhook=webhook)
        assert (waiting.status, waiting.attempts) == ("pending", 0)
        assert hook.requests == []

        reset_broker()
        with celery_worker(WEBHOOK_ALLOW_PRIVATE="1"):
            tasks.deliver_pending_task.delay()  # what beat sends every 10 s
            wait_for(lambda: hook.requests, timeout=15, what="the swept delivery")

    [request] = hook.requests
    assert request.signed_by(secret)
    body = orjson.loads(request.body)
    assert (body["type"], body["id"]) == ("journey.band_changed", waiting.event_id)
    assert body["data"] == {
        "journey": {"id": str(journey.pk), "name": "Online purchase"},
        "from": "at_risk",
        "to": "critical",
        "score": 37.1,
    }
    waiting.refresh_from_db()
    assert waiting.status == "delivered"
