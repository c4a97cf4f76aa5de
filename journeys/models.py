import secrets
import uuid

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journeys.content_version import bumps_journey_version
from journeys.lanes import default_lanes
from workspaces.audit import event_model
from workspaces.models import Workspace, hash_token


class Band(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    AT_RISK = "at_risk", _("At risk")
    CRITICAL = "critical", _("Critical")
    NO_DATA = "no_data", _("No data")


BAND_LABELS = dict(Band.choices)


class HasHealth(models.Model):
    """The latest health, stored on the object so that maps and lists read it without a join."""

    health_score = models.FloatField(null=True, blank=True)
    health_band = models.CharField(max_length=10, choices=Band.choices, default=Band.NO_DATA)
    health_n = models.PositiveIntegerField(default=0)
    health_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def health_band_label(self) -> str:
        return BAND_LABELS[self.health_band]

    @property
    def health(self) -> dict:
        return {"score": self.health_score, "band": self.health_band, "n": self.health_n}


class JourneyQuerySet(models.QuerySet):
    def for_workspaces(self, workspace_ids):
        return self.filter(workspace_id__in=workspace_ids)

    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Journey(HasHealth):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="journeys")
    name = models.CharField(max_length=200)
    persona = models.CharField(max_length=200, blank=True)
    persona_goals = models.TextField(blank=True)
    persona_frustrations = models.TextField(blank=True)
    description = models.TextField(blank=True)
    # The rows under the stages, in order (journeys/lanes.py).
    lanes = models.JSONField(default=default_lanes, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Archived journeys leave the dashboard's list, stay readable, and are skipped by the
    # nightly rescore and by the emails to followers.
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = JourneyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]
        triggers = [bumps_journey_version(journey="coalesce(NEW.id, OLD.id)")]

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class StageKind(models.TextChoices):
    DISCOVERY = "discovery", _("Discovery")
    CONSIDERATION = "consideration", _("Consideration")
    PURCHASE = "purchase", _("Purchase")
    EXPERIENCE = "experience", _("Experience")
    LOYALTY = "loyalty", _("Loyalty")
    RECOMMENDATION = "recommendation", _("Recommendation")
    CUSTOM = "custom", _("Custom")


CLASSIC_STAGE_KINDS = [kind for kind in StageKind if kind != StageKind.CUSTOM]


class Stage(HasHealth):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=StageKind.choices, default=StageKind.CUSTOM)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["journey", "position"]
        indexes = [models.Index(fields=["journey", "position"])]
        triggers = [bumps_journey_version(journey="coalesce(NEW.journey_id, OLD.journey_id)")]

    def __str__(self) -> str:
        return self.name

    @property
    def workspace_id(self) -> int:
        return self.journey.workspace_id


class JourneyVersion(models.Model):
    """Kept by the database (journeys/content_version.py), never written from Python. No
    foreign key: the row goes with its journey at the commit that deletes it."""

    journey_id = models.UUIDField(primary_key=True)
    version = models.BigIntegerField()


# The audit trail (workspaces/audit.py) records what people edit, never health, version or
# updated_at: every rescore rewrites those.
JOURNEY_AUDITED = [
    "name",
    "persona",
    "persona_goals",
    "persona_frustrations",
    "description",
    "lanes",
]
STAGE_AUDITED = ["journey", "name", "kind", "position"]


class JourneyEvent(event_model(Journey, JOURNEY_AUDITED)):
    pass


class StageEvent(event_model(Stage, STAGE_AUDITED)):
    pass


class ShareLinkQuerySet(models.QuerySet):
    def live(self):
        """Neither revoked nor expired: the links that open their map."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=Now())
        )


class ShareLink(models.Model):
    """A read-only link to a journey's live map, for people without an account. Like API
    tokens, only the token's hash is kept: its URL is shown once, when it is made. A revoked
    link keeps its row, with who made it and who revoked it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=200, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.journey_id} {self.created_at:%Y-%m-%d}"

    @property
    def workspace_id(self) -> int:
        return self.journey.workspace_id

    @classmethod
    def issue(cls, *, journey: Journey, expires_at=None, created_by: str = ""):
        """A new link; returns (link, token). The token is never stored and shown once."""
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            journey=journey,
            token_hash=hash_token(token),
            expires_at=expires_at,
            created_by=created_by,
        )
        return link, token

    @classmethod
    def opened_by(cls, token: str):
        """The live link this token opens, with its journey, or None."""
        return (
            cls.objects.live()
            .select_related("journey__workspace")
            .filter(token_hash=hash_token(token))
            .first()
        )

    def revoke(self, *, by: str = "") -> None:
        self.revoked_at, self.revoked_by = timezone.now(), by
        self.save(update_fields=["revoked_at", "revoked_by"])
