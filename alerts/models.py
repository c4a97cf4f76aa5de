import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from journeys.models import Journey
from workspaces.models import Workspace


class EventType(models.TextChoices):
    TOUCHPOINT_BAND_CHANGED = "touchpoint.band_changed", _("Touchpoint band changed")
    MOMENT_CRITICAL = "moment.critical", _("Moment of truth critical")
    JOURNEY_BAND_CHANGED = "journey.band_changed", _("Journey band changed")
    CUSTOMER_AT_RISK = "customer.at_risk", _("Customer at risk")
    PING = "ping", _("Ping")


# What webhooks subscribe to and the events list shows; a ping goes to one webhook on request.
SUBSCRIBABLE = [choice for choice in EventType if choice != EventType.PING]
# What followers of a journey get by email.
EMAILED = [EventType.MOMENT_CRITICAL, EventType.CUSTOMER_AT_RISK]


class Event(models.Model):
    """Something that happened, recorded in the transaction that made it happen (an outbox):
    webhooks and emails read it from here, so a broker outage delays them and loses nothing."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    type = models.CharField(max_length=40, choices=EventType.choices)
    created_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-id"], name="event_workspace_recent"),
            models.Index(fields=["journey", "-id"], name="event_journey_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.pk}"


class Webhook(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = ArrayField(models.CharField(max_length=40, choices=EventType.choices))
    # Kept as given: every delivery is signed with it (HMAC-SHA256), so it cannot be a hash.
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one webhook, until the webhook answers 2xx or 24 hours have passed."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Who attempts it holds it until then: a worker that dies mid-attempt leaves it to the next.
    locked_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "webhook"], name="one_delivery_per_webhook")
        ]
        indexes = [
            models.Index(fields=["webhook", "-id"], name="delivery_webhook_recent"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due",
            ),
        ]


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["attempted_at", "id"]


class Follow(models.Model):
    """A member who gets a journey's critical moments and new customers at risk by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+")
    # The language of the page the member followed from, for the emails.
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # Events up to this id were emailed, or happened before the member followed.
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "journey"], name="one_follow_per_journey")
        ]
