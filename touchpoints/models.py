import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from journeys.content_version import bumps_journey_version
from journeys.models import HasHealth, Journey, Stage
from workspaces.audit import event_model
from workspaces.models import Workspace


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    MOBILE_APP = "mobile_app", _("Mobile app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social")
    STORE = "store", _("Store")
    CONTACT_CENTER = "contact_center", _("Contact center")
    OTHER = "other", _("Other")


CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_ICONS = {
    Channel.WEB: "◍",
    Channel.MOBILE_APP: "▯",
    Channel.EMAIL: "✉",
    Channel.SMS: "✎",
    Channel.PHONE: "☎",
    Channel.CHAT: "☰",
    Channel.SOCIAL: "♯",
    Channel.STORE: "⌂",
    Channel.CONTACT_CENTER: "☏",
    Channel.OTHER: "•",
}


class Touchpoint(HasHealth):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # workspace and journey repeat what the stage implies: the key is unique per workspace, and
    # lists filter by journey without a join.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="touchpoints")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="touchpoints")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    owner = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    expected_emotion = models.SmallIntegerField(
        default=0, validators=[MinValueValidator(-2), MaxValueValidator(2)]
    )
    pain_points = models.TextField(blank=True)
    opportunities = models.TextField(blank=True)
    # {custom lane id: text} for the lanes of its journey (journeys/lanes.py).
    lane_values = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    # {component: {"value", "n", "counts"}} behind health_score, so the UI can explain it.
    health_components = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], name="touchpoint_key_per_workspace"
            ),
            models.CheckConstraint(
                condition=models.Q(expected_emotion__gte=-2, expected_emotion__lte=2),
                name="expected_emotion_range",
            ),
        ]
        triggers = [bumps_journey_version(journey="coalesce(NEW.journey_id, OLD.journey_id)")]
        indexes = [
            models.Index(fields=["journey", "stage", "position"]),
            models.Index(fields=["stage", "position"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_label(self) -> str:
        # get_channel_display() rebuilds the choices mapping on every call.
        return CHANNEL_LABELS[self.channel]

    @property
    def channel_icon(self) -> str:
        return CHANNEL_ICONS[self.channel]


# What people edit (the audit trail, workspaces/audit.py): not health, version or updated_at.
TOUCHPOINT_AUDITED = [
    "journey",
    "stage",
    "key",
    "name",
    "description",
    "channel",
    "owner",
    "position",
    "expected_emotion",
    "pain_points",
    "opportunities",
    "lane_values",
]


class TouchpointEvent(event_model(Touchpoint, TOUCHPOINT_AUDITED)):
    pass
