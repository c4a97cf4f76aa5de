"""Delivering events to webhooks (docs/alerts.md): claim a due delivery, POST it signed, log the
attempt, and retry a failure with exponential backoff until 24 hours after the event.

Deliveries wait in the database, so nothing is lost to a broker outage: a task is published when
one is created and when a retry is near, and beat sweeps the due ones every few seconds. Workers
share them through claims (a lease on the row, taken with SKIP LOCKED or a conditional UPDATE),
so two never attempt one delivery at once, and a worker that dies mid-attempt leaves it, once its
lease runs out, to the next sweep."""

import hashlib
import hmac
import logging
import time
from datetime import datetime, timedelta

import orjson
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from alerts import sending, tasks
from alerts.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, Webhook
from feedback.publishing import publish

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
LEASE = timedelta(seconds=30)  # well over the timeout: a lease outlives its attempt
RETRY_FOR = timedelta(hours=24)
FIRST_RETRY_SECONDS = 5
LONGEST_RETRY_SECONDS = 3600
# A retry due this soon is published as a delayed task; later ones are left to the sweep, since
# Redis delivers a task held longer than its visibility timeout again.
PUBLISHED_RETRY_SECONDS = 300
SWEEP_BUDGET_SECONDS = 50

DUE = """
status = 'pending' AND next_attempt_at <= statement_timestamp()
AND (locked_until IS NULL OR locked_until < statement_timestamp())
"""
CLAIM_NEXT = f"""
UPDATE {{table}} SET locked_until = statement_timestamp() + %(lease)s
WHERE id = (
    SELECT id FROM {{table}} WHERE {DUE}
    ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING id, locked_until
"""
CLAIM_ONE = f"""
UPDATE {{table}} SET locked_until = statement_timestamp() + %(lease)s
WHERE id = %(id)s AND {DUE}
RETURNING id, locked_until
"""


def retry_delay(attempts: int) -> timedelta:
    """5 s after the first failure, then twice as long each time, at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS))


def payload(event: Event, workspace_slug: str) -> bytes:
    """The body every webhook gets for the event, the same bytes on every retry."""
    return orjson.dumps(
        {
            "id": event.pk,
            "type": event.type,
            "created_at": event.created_at,
            "workspace": workspace_slug,
            "data": event.data,
        },
        option=orjson.OPT_UTC_Z,
    )


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def headers(event: Event, webhook: Webhook, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Truthmap-Webhooks/1",
        "X-Truthmap-Event": event.type,
        "X-Truthmap-Delivery": str(event.pk),
        "X-Truthmap-Signature": signature(webhook.secret, body),
    }


def _claim(sql: str, **params) -> tuple[int, datetime] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=Delivery._meta.db_table), {"lease": LEASE, **params})
        return cursor.fetchone()


def deliver_pending(*, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> int:
    """Attempts due deliveries, oldest first, until none is due or the budget is spent (the
    next sweep goes on); returns how many were attempted."""
    started = time.monotonic()
    attempted = 0
    while time.monotonic() - started < budget_seconds:
        claimed = _claim(CLAIM_NEXT)
        if claimed is None:
            break
        attempt(*claimed)
        attempted += 1
    return attempted


def deliver(delivery_id: int) -> bool:
    """Attempts one delivery if it is due and nobody holds it; False if not."""
    claimed = _claim(CLAIM_ONE, id=delivery_id)
    if claimed is None:
        return False
    attempt(*claimed)
    return True


def attempt(delivery_id: int, lease: datetime) -> None:
    delivery = Delivery.objects.select_related("event__workspace", "webhook").get(pk=delivery_id)
    event, webhook = delivery.event, delivery.webhook
    if not webhook.active:
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, locked_until=None
        )
        return
    body = payload(event, event.workspace.slug)
    attempted_at = timezone.now()
    answer = sending.post(webhook.url, body, headers(event, webhook, body), timeout=TIMEOUT_SECONDS)
    attempts = delivery.attempts + 1
    done = {"attempts": F("attempts") + 1, "locked_until": None}
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery_id=delivery_id,
            attempted_at=attempted_at,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )
        mine = Delivery.objects.filter(pk=delivery_id, locked_until=lease)
        if answer.ok:
            mine.update(
                status=DeliveryStatus.DELIVERED, delivered_at=Now(), next_attempt_at=None, **done
            )
            return
        delay = retry_delay(attempts)
        if timezone.now() + delay > event.created_at + RETRY_FOR:
            mine.update(status=DeliveryStatus.FAILED, next_attempt_at=None, **done)
            log.warning("Gave up delivering event %s to %s.", event.pk, webhook.url)
            return
        mine.update(next_attempt_at=Now() + delay, **done)
    if delay.total_seconds() <= PUBLISHED_RETRY_SECONDS:
        # A second late, so that the task never finds the delivery not yet due.
        publish(tasks.deliver_task, delivery_id, countdown=delay.total_seconds() + 1)
