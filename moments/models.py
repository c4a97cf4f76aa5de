import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from journeys.content_version import bumps_journey_version
from touchpoints.models import Touchpoint
from workspaces.audit import event_model


class MomentType(models.TextChoices):
    SUB_ZERO = "sub_zero", _("Less-than-zero moment")
    ZMOT = "zmot", _("Zero moment of truth (ZMOT)")
    FMOT = "fmot", _("First moment of truth (FMOT)")
    SMOT = "smot", _("Second moment of truth (SMOT)")
    INTERMEDIATE = "intermediate", _("Intermediate moment")
    TMOT = "tmot", _("Third moment of truth (TMOT)")


MOMENT_DEFINITIONS = {
    MomentType.SUB_ZERO: _(
        "A customer who had bad experiences — three are enough to lose a customer — tells others, "
        "and their opinion forms before any contact."
    ),
    MomentType.ZMOT: _(
        "The customer researches: reviews, rating sites, social networks, help pages."
    ),
    MomentType.FMOT: _("First encounter with the product or service, in a store or online."),
    MomentType.SMOT: _("First use of the product or service."),
    MomentType.INTERMEDIATE: _("Interactions with the contact center."),
    MomentType.TMOT: _("Everything after the purchase: support, loyalty, advocacy."),
}


MOMENT_SHORT_LABELS = {
    MomentType.SUB_ZERO: "<0",
    MomentType.ZMOT: "ZMOT",
    MomentType.FMOT: "FMOT",
    MomentType.SMOT: "SMOT",
    MomentType.INTERMEDIATE: "MI",
    MomentType.TMOT: "TMOT",
}


class Moment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="moments")
    type = models.CharField(max_length=20, choices=MomentType.choices)
    impact = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rationale = models.TextField(blank=True)
    tagged_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["touchpoint", "type"]
        constraints = [
            models.UniqueConstraint(fields=["touchpoint", "type"], name="one_moment_per_type"),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="moment_impact_range"
            ),
        ]
        # At the commit, a deleted touchpoint is gone: its own trigger counted the change.
        triggers = [
            bumps_journey_version(
                journey="(SELECT journey_id FROM touchpoints_touchpoint"
                " WHERE id = coalesce(NEW.touchpoint_id, OLD.touchpoint_id))"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} at {self.touchpoint}"

    @property
    def workspace_id(self) -> int:
        return self.touchpoint.workspace_id

    @property
    def short_label(self) -> str:
        return MOMENT_SHORT_LABELS[self.type]


# What people edit (the audit trail, workspaces/audit.py); tagged_by and created_at are set once.
MOMENT_AUDITED = ["touchpoint", "type", "impact", "rationale"]


class MomentEvent(event_model(Moment, MOMENT_AUDITED)):
    pass
