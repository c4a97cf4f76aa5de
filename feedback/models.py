import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from journeys.models import Band, Journey
from touchpoints.models import Channel, Touchpoint
from workspaces.models import Workspace


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")
    ABANDONED = "abandoned", _("Abandoned")


class Feedback(models.Model):
    """One customer signal about one touchpoint. The source of truth the rollups are built from."""

    # No foreign key is checked by the database: the per-row checks at COMMIT cost a quarter
    # of a bulk insert. workspace and journey repeat the touchpoint's (touchpoints never leave
    # their journey); the touchpoint is checked set-based by ingestion's INSERT, which locks
    # the batch's touchpoints (FOR KEY SHARE) until it commits, and a touchpoint's deletion
    # locks it first (receivers.lock_touchpoint_against_ingestion), so that its cascade, which
    # Django runs, sees every row committed. Indexes that lead with workspace and journey are
    # below.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        on_delete=models.CASCADE,
        related_name="feedback",
        db_index=False,
        db_constraint=False,
    )
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULL: no key)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    customer_ref = models.CharField(max_length=200, blank=True, default="")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, default="")
    nps = models.SmallIntegerField(null=True, blank=True)
    csat = models.SmallIntegerField(null=True, blank=True)
    ces = models.SmallIntegerField(null=True, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    # A comment without sentiment waits for the sentiment task (language detection + VADER).
    sentiment_pending = models.BooleanField(default=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    source = models.CharField(max_length=50, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    is_negative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="feedback_external_id_per_workspace",
            )
        ]
        indexes = [
            models.Index(fields=["touchpoint", "occurred_at"], name="feedback_touchpoint_time"),
            models.Index(fields=["workspace", "-id"], name="feedback_workspace_recent"),
            # Clients that sync read what arrived since their last call (received_after).
            models.Index(fields=["workspace", "received_at", "id"], name="feedback_arrival"),
            # At-risk reads only this index (an index-only scan on PostgreSQL): in customer
            # order to group them, and to look up the listed customers' bad experiences.
            models.Index(
                fields=["journey", "customer_ref", "occurred_at"],
                include=["touchpoint"],
                condition=models.Q(is_negative=True),
                name="feedback_negative",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(sentiment_pending=True),
                name="feedback_sentiment_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback {self.pk} on {self.touchpoint_id}"


class DailyRollup(models.Model):
    """Counts and sums of one touchpoint's feedback on one UTC day; scoring sums these."""

    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    responses = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_top2 = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveBigIntegerField(default=0)
    sentiment_n = models.PositiveIntegerField(default=0)
    sentiment_sum = models.FloatField(default=0)
    outcome_n = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["touchpoint", "day"], name="one_rollup_per_day")
        ]


class DirtyTouchpoint(models.Model):
    """A touchpoint whose feedback changed since it was last scored."""

    touchpoint = models.OneToOneField(
        Touchpoint, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)


class AtRiskReport(models.Model):
    """A journey's customers at risk as the worker last found them. Grouping every negative
    feedback of the window takes seconds at millions of rows, so reads come from here: a rescore
    marks the report stale and a task finds the customers again (feedback.at_risk)."""

    journey = models.OneToOneField(
        Journey, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stale = models.BooleanField(default=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(default=0)
    window_days = models.PositiveSmallIntegerField(default=0)
    customer_count = models.PositiveIntegerField(default=0)
    # [[touchpoint_id, negative_count], …], the most first: where the customers at risk suffered.
    hotspots = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["journey"], condition=models.Q(stale=True), name="at_risk_stale")
        ]


class AtRiskCustomer(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer_ref = models.CharField(max_length=200)
    negative_count = models.PositiveIntegerField()
    last_at = models.DateTimeField()
    # {touchpoint_id: negative_count}: what this customer adds to the report's hotspots, taken
    # away again when a refresh finds them anew.
    touchpoint_counts = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(
                fields=["journey", "-negative_count", "-last_at", "customer_ref"],
                name="at_risk_customer_rank",
            ),
            models.Index(fields=["journey", "customer_ref"], name="at_risk_customer_ref"),
        ]


class AtRiskDirtyCustomer(models.Model):
    """A customer whose negative feedback in a journey changed since its at-risk report was
    refreshed: the refresh finds only these customers again (feedback.at_risk)."""

    # No foreign key checked by the database: ingestion inserts these in its statement, and a
    # journey's deletion cascades to them through Django.
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    customer_ref = models.CharField(max_length=200)

    class Meta:
        # Append-only, without a unique key: with one, a writer whose customer was already
        # marked inserted nothing, and a refresh that claimed that mark before the writer
        # committed lost the writer's change. The refresh claims every row of its journey.
        indexes = [models.Index(fields=["journey"], name="dirty_customer_journey")]


class TouchpointSnapshot(models.Model):
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    day = models.DateField()
    score = models.FloatField(null=True)
    band = models.CharField(max_length=10, choices=Band.choices)
    n = models.PositiveIntegerField(default=0)
    components = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["touchpoint", "day"], name="one_snapshot_per_day")
        ]


class JourneySnapshot(models.Model):
    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    day = models.DateField()
    score = models.FloatField(null=True)
    band = models.CharField(max_length=10, choices=Band.choices)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["journey", "day"], name="one_journey_snapshot_per_day")
        ]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    TSV = "tsv", "TSV"
    JSONL = "jsonl", "JSON Lines"
    JSON = "json", "JSON"


class ImportProfile(models.Model):
    """Import options saved under a name, used by uploads that name it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The options as the upload takes them (feedback.api.ImportOptionsSerializer), only those set.
    options = models.JSONField(default=dict, blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_profile_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    created_by = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=5, choices=ImportFormat.choices)
    mapping = models.JSONField(default=dict, blank=True)
    defaults = models.JSONField(default=dict, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    value_map = models.JSONField(default=dict, blank=True)
    date_format = models.CharField(max_length=100, default="iso")
    decimal = models.CharField(max_length=1, default=".")
    profile = models.ForeignKey(
        ImportProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The uploader's language: the worker writes the rejection reasons and errors in it.
    language = models.CharField(
        max_length=15,
        default=settings.LANGUAGE_CODE,
        help_text="The language of its rejection reasons and errors: the uploader's.",
    )
    # How the file is read: given with the upload, else found at upload (feedback.readers).
    encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header_rows = models.PositiveSmallIntegerField(null=True, blank=True)
    # Which of format, encoding, delimiter, header_rows and timezone were found, not given.
    detected = models.JSONField(default=list, blank=True)
    # The names of the columns (CSV and TSV); header holds the header rows as they were in the
    # file, for the download of rejected rows.
    columns = models.JSONField(default=list, blank=True)
    header = models.JSONField(default=list, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    error = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When a worker last showed it was at work on the job (its claim, every batch counted): a
    # running job silent for long lost its worker, and the sweep gives it to another.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def delimiter_name(self) -> str:
        return "tab" if self.delimiter == "\t" else self.delimiter


class ImportChunk(models.Model):
    """The uploaded file, in pieces in the database, so any worker can read it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="one_chunk_per_seq")]


class ImportRejectedRow(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    row_number = models.PositiveIntegerField()
    data = models.JSONField()
    errors = models.JSONField()

    class Meta:
        ordering = ["row_number"]
