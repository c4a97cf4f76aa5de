import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ANALYST = "analyst", _("Analyst")
    MANAGER = "manager", _("Manager")


ROLE_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.MANAGER: 2}


def role_allows(role: str | None, required: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[required]


class Workspace(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    # Scoring settings (docs/health.md).
    window_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    min_responses = models.PositiveIntegerField(default=5, validators=[MinValueValidator(1)])
    weight_nps = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    weight_csat = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    weight_ces = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    weight_sentiment = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    weight_resolution = models.FloatField(default=1.0, validators=[MinValueValidator(0)])
    at_risk_threshold = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> dict[str, float]:
        return {
            "nps": self.weight_nps,
            "csat": self.weight_csat,
            "ces": self.weight_ces,
            "sentiment": self.weight_sentiment,
            "resolution": self.weight_resolution,
        }


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    def is_last_manager(self) -> bool:
        """Demoting or removing this member would leave the workspace without a manager."""
        others = Membership.objects.filter(workspace_id=self.workspace_id, role=Role.MANAGER)
        return self.role == Role.MANAGER and not others.exclude(pk=self.pk).exists()


TOKEN_PREFIX = "tm_"


def hash_token(raw: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to tell tokens apart."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, workspace: Workspace, name: str, role: str, created_by=None):
        """Create a token; returns (token, raw). The raw value is never stored and shown once."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            workspace=workspace,
            name=name,
            role=role,
            token_hash=hash_token(raw),
            hint=raw[:10],
            created_by=created_by,
        )
        return token, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


INVITATION_DAYS = 7


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An email invitation to join a workspace: the person accepts it with their own account (or
    one they create), so nobody is added without consent and usernames stay private. Like API
    tokens, only the link's hash is kept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} ({self.role})"

    @classmethod
    def issue(cls, *, workspace: Workspace, email: str, role: str, invited_by=None):
        """A new invitation; returns (invitation, raw). The raw value is only in the link sent."""
        raw = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            token_hash=hash_token(raw),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        return invitation, raw

    def accept(self, user) -> Membership:
        """The user joins with the invited role; a member already keeps their role. The
        conditional update makes a link work once, even when two tabs accept it at once."""
        taken = Invitation.objects.filter(pk=self.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not taken:
            raise Invitation.DoesNotExist
        membership, _ = Membership.objects.get_or_create(
            workspace=self.workspace, user=user, defaults={"role": self.role}
        )
        return membership
