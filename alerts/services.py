"""Writes of the alerting app: webhooks, pings and follows."""

import secrets

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Now

from alerts import tasks
from alerts.models import Delivery, DeliveryStatus, Event, EventType, Follow, Webhook
from feedback.publishing import publish_on_commit
from journeys.models import Journey
from workspaces.models import Workspace

SECRET_PREFIX = "whsec_"


def webhook_create(
    *, workspace: Workspace, url: str, events: list[str], active: bool = True, secret: str = ""
) -> tuple[Webhook, str]:
    """A webhook and its secret, generated when none is given: the caller shows it once."""
    secret = secret or SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(
        workspace=workspace,
        url=url,
        events=list(dict.fromkeys(events)),
        active=active,
        secret=secret,
    )
    return webhook, secret


def webhook_update(*, webhook: Webhook, **fields) -> Webhook:
    """Changes url, events, active or secret. Turned off, it gets none of what waits for it."""
    if "events" in fields:
        fields["events"] = list(dict.fromkeys(fields["events"]))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(webhook, name, value)
        webhook.save()
        if not webhook.active:
            webhook.deliveries.filter(status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, next_attempt_at=None
            )
    return webhook


def webhook_ping(*, webhook: Webhook) -> Delivery:
    """A `ping` event for this webhook alone, delivered like any other."""
    now = Now()  # the database's clock, which claims compare with
    with transaction.atomic():
        event = Event.objects.create(
            workspace_id=webhook.workspace_id,
            type=EventType.PING,
            created_at=now,
            data={"webhook": {"id": str(webhook.pk), "url": webhook.url}},
        )
        delivery = Delivery.objects.create(
            event=event, webhook=webhook, next_attempt_at=now, created_at=now
        )
        publish_on_commit(tasks.deliver_task, delivery.pk)
    return delivery


def follow(*, user, journey: Journey, language: str) -> Follow:
    """From now on: what happened before is not emailed."""
    latest = Event.objects.aggregate(last=Max("id"))["last"] or 0
    followed, _ = Follow.objects.get_or_create(
        user=user, journey=journey, defaults={"language": language, "last_event_id": latest}
    )
    return followed


def unfollow(*, user, journey: Journey) -> None:
    Follow.objects.filter(user=user, journey=journey).delete()
