"""Deliveries in-process, against a real receiver on loopback: the signed body and its headers,
the log of attempts, the backoff, giving up after 24 hours, no redirect followed, and the
address checked again when sending."""

import hashlib
import hmac
from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from alerts import delivery
from alerts.models import Delivery, Event
from alerts.services import webhook_create, webhook_ping
from tests.alerts.receiver import receiver


@pytest.fixture
def private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True


def test_the_signature_is_the_hmac_sha256_of_the_body():
    # The example of RFC 4231's neighbour on Wikipedia's HMAC page.
    body = b"The quick brown fox jumps over the lazy dog"
    assert delivery.signature("key", body) == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_the_backoff_doubles_from_5_seconds_to_an_hour():
    delays = [delivery.retry_delay(n).total_seconds() for n in range(1, 13)]
    assert delays == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]


def test_a_ping_arrives_signed_with_its_headers(private, workspace):
    with receiver() as hook:
        webhook, secret = webhook_create(workspace=workspace, url=hook.url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        assert delivery.deliver_pending() == 1
    [request] = hook.requests
    event = Event.objects.get(pk=ping.event_id)
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Truthmap-Event"] == "ping"
    assert request.headers["X-Truthmap-Delivery"] == str(event.pk)
    assert request.signed_by(secret)
    assert not request.signed_by(secret + "x")
    body = orjson.loads(request.body)
    assert body == {
        "id": event.pk,
        "type": "ping",
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "workspace": "acme",
        "data": {"webhook": {"id": str(webhook.pk), "url": hook.url}},
    }
    assert request.headers["X-Truthmap-Signature"] == (
        "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    )
    ping.refresh_from_db()
    assert (ping.status, ping.attempts, ping.next_attempt_at) == ("delivered", 1, None)
    [attempt] = ping.log.all()
    assert (attempt.status_code, attempt.error) == (200, "")


def due_now(ping: Delivery) -> None:
    Delivery.objects.filter(pk=ping.pk).update(next_attempt_at=timezone.now() - timedelta(days=1))


def test_a_failure_is_logged_and_retried_later_with_the_same_body(private, workspace):
    with receiver(500, 503) as hook:
        webhook, _ = webhook_create(workspace=workspace, url=hook.url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        delivery.deliver_pending()
        ping.refresh_from_db()
        assert (ping.status, ping.attempts) == ("pending", 1)
        assert delivery.deliver_pending() == 0  # not due for another 5 s
        due_now(ping)
        delivery.deliver_pending()
        due_now(ping)
        delivery.deliver_pending()
    assert [r.body for r in hook.requests] == [hook.requests[0].body] * 3
    assert {r.headers["X-Truthmap-Delivery"] for r in hook.requests} == {str(ping.event_id)}
    ping.refresh_from_db()
    assert (ping.status, ping.attempts) == ("delivered", 3)
    assert [a.status_code for a in ping.log.all()] == [500, 503, 200]


def test_it_gives_up_24_hours_after_the_event(private, workspace):
    with receiver(500) as hook:
        webhook, _ = webhook_create(workspace=workspace, url=hook.url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        Event.objects.filter(pk=ping.event_id).update(
            created_at=timezone.now() - timedelta(hours=24)
        )
        delivery.deliver_pending()
    ping.refresh_from_db()
    assert (ping.status, ping.next_attempt_at, ping.attempts) == ("failed", None, 1)


def test_a_redirect_is_a_failure_and_is_not_followed(private, workspace):
    with receiver(302, extra_headers={"Location": "http://169.254.169.254/latest"}) as hook:
        webhook, _ = webhook_create(workspace=workspace, url=hook.url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        delivery.deliver_pending()
    assert len(hook.requests) == 1
    [attempt] = Delivery.objects.get(pk=ping.pk).log.all()
    assert attempt.status_code == 302


def test_a_slow_receiver_times_out(private, workspace, monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.3)
    import socket

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        webhook, _ = webhook_create(workspace=workspace, url=url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        delivery.deliver_pending()
    [attempt] = Delivery.objects.get(pk=ping.pk).log.all()
    assert (attempt.status_code, attempt.error) == (None, "Timed out after 0.3 s.")
    assert 300 <= attempt.duration_ms < 2000


def test_the_address_is_checked_again_when_sending(settings, workspace):
    """Saved while the name was public, it resolves to loopback now (DNS rebinding)."""
    with receiver() as hook:
        url = hook.url.replace("127.0.0.1", "localhost")
        webhook, _ = webhook_create(workspace=workspace, url=url, events=["ping"])
        ping = webhook_ping(webhook=webhook)
        delivery.deliver_pending()
    assert hook.requests == []
    [attempt] = Delivery.objects.get(pk=ping.pk).log.all()
    assert attempt.status_code is None
    assert "localhost resolves to" in attempt.error and "public addresses only" in attempt.error
