"""The bulk path for feedback: validate in plain Python (no query per item), then store a batch
with a few set-based statements, keeping the daily rollups current in the same transaction."""

import contextlib
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial

import orjson
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback import publishing, tasks
from feedback.models import Outcome
from feedback.negative import is_negative
from touchpoints.models import Channel, Touchpoint
from workspaces.models import Workspace

MAX_ITEMS = 10_000
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_ITEM_BYTES = 32 * 1024
MAX_METADATA_BYTES = 8 * 1024
FUTURE_TOLERANCE = timedelta(minutes=5)

SIGNALS = ("nps", "csat", "ces", "sentiment", "outcome", "comment")
# The ranges and lengths of an item's fields: the checks below and the API's schema read them.
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SENTIMENT_RANGE = (-1, 1)
TEXT_LIMITS = {"external_id": 200, "customer_ref": 200, "comment": 10_000, "source": 50}
FIELDS = {
    "external_id",
    "touchpoint",
    "touchpoint_key",
    "occurred_at",
    "customer_ref",
    "channel",
    "nps",
    "csat",
    "ces",
    "sentiment",
    "outcome",
    "comment",
    "source",
    "metadata",
}
CHANNELS = set(Channel.values)
OUTCOMES = set(Outcome.values)

# Columns of a validated row, in the order of the COPY, with their types in the staging table.
# The COPY is binary: PostgreSQL parses it faster, and psycopg writes it in a third of the
# Python time of text. metadata is staged as text and cast on insert, because a binary COPY
# into jsonb would store the already encoded str as one JSON string.
STAGING_TYPES = {
    "workspace_id": "int8",
    "journey_id": "uuid",
    "touchpoint_id": "uuid",
    "external_id": "text",
    "occurred_at": "timestamptz",
    "customer_ref": "text",
    "channel": "text",
    "nps": "int2",
    "csat": "int2",
    "ces": "int2",
    "sentiment": "float8",
    "sentiment_pending": "bool",
    "outcome": "text",
    "comment": "text",
    "source": "text",
    "metadata": "text",
    "is_negative": "bool",
}
COLUMNS = list(STAGING_TYPES)
TOUCHPOINT_ID, SENTIMENT_PENDING = (
    COLUMNS.index(name) for name in ("touchpoint_id", "sentiment_pending")
)


@dataclass
class Batch:
    rows: list[tuple] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # [{"index": i, "errors": {...}}]


@dataclass
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[dict]
    touchpoint_ids: set

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


class Invalid(Exception):
    """A value its field's check refuses; the message is in the active language."""


WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")


def _not_whole(low: int, high: int) -> Invalid:
    # Made on failure only: this check runs for millions of valid values.
    return Invalid(_("A whole number %(low)s–%(high)s is required.") % {"low": low, "high": high})


def _integer(value, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise _not_whole(low, high)
    if (
        isinstance(value, str)
        and WHOLE_NUMBER.fullmatch(value)
        and len(value) < 20
        or isinstance(value, float)
        and value.is_integer()
    ):
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise _not_whole(low, high)
    return value


def _not_number(low: float, high: float) -> Invalid:
    return Invalid(_("A number from %(low)s to %(high)s is required.") % {"low": low, "high": high})


def _number(value, low: float, high: float) -> float:
    if isinstance(value, bool):
        raise _not_number(low, high)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _not_number(low, high) from None
    if not isinstance(value, int | float) or not low <= value <= high:  # NaN is never in range
        raise _not_number(low, high)
    return float(value)


def _text(value, max_length: int) -> str:
    if not isinstance(value, str):
        raise Invalid(_("A string is required."))
    if len(value) > max_length:
        raise Invalid(_("At most %(max)s characters.") % {"max": max_length})
    if "\x00" in value:
        raise Invalid(_("Null characters are not allowed."))
    return value


def _choice(value, choices: set) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = repr(value) if len(repr(value)) <= 60 else _("This value")
        raise Invalid(
            _("%(value)s is not one of: %(choices)s.")
            % {"value": shown, "choices": ", ".join(sorted(choices))}
        )
    return value


ISO_MESSAGE = gettext_lazy("An ISO-8601 date-time with offset is required.")
EPOCH_UNITS = {
    "epoch_s": (1, gettext_lazy("Seconds since 1970-01-01 UTC are required.")),
    "epoch_ms": (1000, gettext_lazy("Milliseconds since 1970-01-01 UTC are required.")),
}
OUT_OF_RANGE = gettext_lazy("The date-time is out of range.")
EXAMPLE_TIME = datetime(2026, 11, 20, 16, 5, 9)


def _iso(value) -> datetime:
    if not isinstance(value, str):
        raise Invalid(str(ISO_MESSAGE))
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(str(ISO_MESSAGE)) from None


def date_parser(date_format: str):
    """value → datetime (naive when the file gives no offset) for an import's `date_format`:
    "iso", "epoch_s", "epoch_ms" or a strftime pattern."""
    if date_format == "iso":
        return _iso
    if date_format in EPOCH_UNITS:
        per_second, required = EPOCH_UNITS[date_format]
        message = str(required)  # once per batch, in the language of the batch

        def epoch(value) -> datetime:
            if isinstance(value, bool):
                raise Invalid(message)
            try:
                return datetime.fromtimestamp(float(value) / per_second, UTC)
            except (TypeError, ValueError):
                raise Invalid(message) from None
            except (OverflowError, OSError):
                raise Invalid(str(OUT_OF_RANGE)) from None

        return epoch
    message = _("A date-time like %(example)s (%(format)s) is required.") % {
        "example": EXAMPLE_TIME.strftime(date_format),
        "format": date_format,
    }

    def pattern(value) -> datetime:
        if not isinstance(value, str):
            raise Invalid(message)
        try:
            return datetime.strptime(value.strip(), date_format)
        except ValueError:
            raise Invalid(message) from None

    return pattern


def _timestamp(value, now: datetime, naive_tz: tzinfo | None, parse=_iso) -> datetime:
    parsed = parse(value)
    if parsed.tzinfo is None:
        if naive_tz is None:
            raise Invalid(
                _(
                    "The date-time needs a UTC offset, e.g. 2026-05-01T10:00:00+02:00, "
                    "or the import a time zone."
                )
            )
        parsed = parsed.replace(tzinfo=naive_tz)
    try:
        # Year 1 with a positive offset is before year 1 in UTC: no database row can hold it.
        parsed = parsed.astimezone(UTC)
    except OverflowError:
        raise Invalid(str(OUT_OF_RANGE)) from None
    if parsed > now + FUTURE_TOLERANCE:
        raise Invalid(_("Must not be more than 5 minutes in the future."))
    return parsed


def _metadata(value) -> str:
    if not isinstance(value, dict):
        raise Invalid(_("A JSON object is required."))
    encoded = _encoded(value)
    if encoded is None:
        raise Invalid(_("Cannot be stored: nested too deep, or a number beyond 64 bits."))
    if len(encoded) > MAX_METADATA_BYTES:
        raise Invalid(_("At most 8 KB."))
    if b"\\u0000" in encoded:
        raise Invalid(_("Null characters are not allowed."))
    return encoded.decode()


def _encoded(value) -> bytes | None:
    """As JSON, or None for what JSON storage cannot hold (orjson's limits: 254 levels of
    nesting, integers within 64 bits)."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return None


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class Unreadable(str):
    """A record of an import file that could not be read (not JSON, bytes not in the file's
    encoding, …); the string says why, and the record is rejected with it."""


class TouchpointIndex:
    """The touchpoints a batch names (all the workspace's when items is None), by id and by key,
    fetched with one query."""

    def __init__(self, workspace: Workspace, items: list | None):
        self.by_id, self.by_key = {}, {}
        found = Touchpoint.objects.filter(workspace=workspace)
        if items is not None:
            found = found.filter(self.named(items))
        for touchpoint_id, key, journey_id in found.values_list("id", "key", "journey_id"):
            self.by_id[str(touchpoint_id)] = (touchpoint_id, journey_id)
            self.by_key[key] = (touchpoint_id, journey_id)

    @staticmethod
    def named(items: list) -> Q:
        ids, keys = set(), set()
        for item in items:
            if not isinstance(item, dict):
                continue
            ref = item.get("touchpoint")
            if isinstance(ref, str):
                with contextlib.suppress(ValueError):
                    ids.add(uuid.UUID(ref))
            key = item.get("touchpoint_key")
            if isinstance(key, str) and "\x00" not in key:
                keys.add(key)
        return Q(id__in=ids) | Q(key__in=keys)

    def resolve(self, item: dict, errors: dict):
        ref, key = item.get("touchpoint"), item.get("touchpoint_key")
        if ref is None and key is None:
            errors["touchpoint"] = [_("Give touchpoint (id) or touchpoint_key.")]
            return None
        if ref is not None:
            found = self.by_id.get(_canonical_uuid(ref)) if isinstance(ref, str) else None
            if found is None:
                errors["touchpoint"] = [_("No such touchpoint in this workspace.")]
            return found
        found = self.by_key.get(key) if isinstance(key, str) and "\x00" not in key else None
        if found is None:
            errors["touchpoint_key"] = [_("No such touchpoint key in this workspace.")]
        return found


def field_checks(now: datetime, naive_tz: tzinfo | None = None, date_format: str = "iso") -> dict:
    """{field: check}, in the order errors are reported; made once per batch, not per item."""
    parse = date_parser(date_format)
    return {
        "occurred_at": partial(_timestamp, now=now, naive_tz=naive_tz, parse=parse),
        "external_id": lambda v: _text(v, TEXT_LIMITS["external_id"]) or None,
        "customer_ref": partial(_text, max_length=TEXT_LIMITS["customer_ref"]),
        "channel": partial(_choice, choices=CHANNELS),
        "nps": partial(_integer, low=SCALES["nps"][0], high=SCALES["nps"][1]),
        "csat": partial(_integer, low=SCALES["csat"][0], high=SCALES["csat"][1]),
        "ces": partial(_integer, low=SCALES["ces"][0], high=SCALES["ces"][1]),
        "sentiment": partial(_number, low=SENTIMENT_RANGE[0], high=SENTIMENT_RANGE[1]),
        "outcome": partial(_choice, choices=OUTCOMES),
        "comment": partial(_text, max_length=TEXT_LIMITS["comment"]),
        "source": partial(_text, max_length=TEXT_LIMITS["source"]),
        "metadata": _metadata,
    }


# The order of an item's errors: its unknown fields, then the item, its touchpoint and its fields.
REPORTED_FIRST = ("non_field_errors", "touchpoint", "touchpoint_key")
REPORT_ORDER = {
    name: order for order, name in enumerate([*REPORTED_FIRST, *field_checks(datetime.now(UTC))])
}


def validate_item(
    item, workspace_id: int, touchpoints: TouchpointIndex, checks: dict
) -> tuple[tuple | None, dict]:
    """One item → (row for COLUMNS, {}) or (None, {field: [messages]}). It runs for millions of
    items: it visits the item's own fields once and reads each value once."""
    if isinstance(item, Unreadable):
        return None, {"non_field_errors": [str(item)]}
    if not isinstance(item, dict):
        return None, {"non_field_errors": [_("Each item must be a JSON object.")]}
    errors: dict[str, list[str]] = {}
    values = {}
    for name, value in item.items():
        check = checks.get(name)
        if check is None:
            if name not in FIELDS:
                errors[name] = [_("Unknown field.")]
        elif value is not None:
            try:
                values[name] = check(value)
            except Invalid as exc:
                errors[name] = [str(exc)]
    # An item that cannot be encoded has a value that its field's check rejects by name.
    if len(_encoded(item) or b"") > MAX_ITEM_BYTES:
        errors["non_field_errors"] = [_("An item may be at most 32 KB.")]
    found = touchpoints.resolve(item, errors)
    get = values.get
    nps, csat, ces, sentiment = get("nps"), get("csat"), get("ces"), get("sentiment")
    outcome, comment = get("outcome", ""), get("comment", "")
    if "occurred_at" not in values and "occurred_at" not in errors:
        errors["occurred_at"] = [_("This field is required.")]
    if (
        nps is None
        and csat is None
        and ces is None
        and sentiment is None
        and not outcome
        and not comment
        and not any(name in errors for name in SIGNALS)
    ):
        errors["non_field_errors"] = [
            _("Give at least one of nps, csat, ces, sentiment, outcome, comment.")
        ]
    if errors:
        # Unknown fields first, in the item's order.
        return None, dict(sorted(errors.items(), key=lambda error: REPORT_ORDER.get(error[0], -1)))
    touchpoint_id, journey_id = found
    row = (
        workspace_id,
        journey_id,
        touchpoint_id,
        get("external_id"),
        values["occurred_at"],
        get("customer_ref", ""),
        get("channel", ""),
        nps,
        csat,
        ces,
        sentiment,
        bool(comment.strip()) and sentiment is None,
        outcome,
        comment,
        get("source", ""),
        get("metadata", "{}"),
        is_negative(nps, csat, ces, sentiment, outcome),
    )
    return row, {}


def validate_batch(
    workspace: Workspace,
    items: list,
    *,
    first_index: int = 0,
    naive_tz=None,
    date_format="iso",
    touchpoints: TouchpointIndex | None = None,
) -> Batch:
    checks = field_checks(datetime.now(UTC), naive_tz, date_format)
    touchpoints = touchpoints or TouchpointIndex(workspace, items)
    workspace_id = workspace.pk
    batch = Batch()
    for index, item in enumerate(items, start=first_index):
        row, errors = validate_item(item, workspace_id, touchpoints, checks)
        if errors:
            batch.rejected.append({"index": index, "errors": errors})
        else:
            batch.rows.append(row)
    return batch


def feedback_ingest(
    *, workspace: Workspace, items: list, naive_tz=None, date_format: str = "iso"
) -> IngestResult:
    """Validates and stores a batch. Valid items are stored, invalid ones reported; an item whose
    external_id is already stored (or repeated in the batch) is a duplicate and stored once."""
    batch = validate_batch(workspace, items, naive_tz=naive_tz, date_format=date_format)
    with transaction.atomic(), feedback_store_started(batch) as stored:
        return stored()


@contextmanager
def feedback_store_started(batch: Batch) -> Iterator[Callable[[], IngestResult]]:
    """Stores a validated batch, in a transaction the caller holds: the rows are copied at
    once, and the INSERT that adds them runs while the block goes on (psycopg's pipeline mode),
    so that an import validates its next batch meanwhile. The block calls what it gets to wait
    for the INSERT and have the result; until then it must not touch the database, or that
    waits too."""
    touchpoint_ids = {row[TOUCHPOINT_ID] for row in batch.rows}
    with rows_stored(batch.rows) as added:

        def stored() -> IngestResult:
            accepted = added()
            if accepted:
                publishing.after_ingest(
                    sentiment_pending=any(row[SENTIMENT_PENDING] for row in batch.rows)
                )
                if accepted >= ANALYZE_MIN_ROWS:
                    publishing.publish_on_commit(tasks.analyze_if_grown_task, accepted)
            return IngestResult(
                accepted=accepted,
                duplicates=len(batch.rows) - accepted,
                rejected=batch.rejected,
                touchpoint_ids=touchpoint_ids,
            )

        yield stored


STAGING_TABLE = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS feedback_staging (
    {", ".join(f"{name} {type_}" for name, type_ in STAGING_TYPES.items())}
) ON COMMIT DELETE ROWS
"""
STAGED = ", ".join(f"{name}::jsonb" if name == "metadata" else name for name in COLUMNS)

# One statement: insert what is new, add it to the rollups, and mark its touchpoints dirty, and
# the customers of its negative rows for the at-risk refresh. PostgreSQL runs the CTEs that
# nothing reads after the others, so the locks come in this order: rollups, then dirty
# touchpoints, each sorted (the customers' marks are only appended, and lock nothing). Every
# other writer of those tables (sentiment scoring) keeps the same order, or it deadlocks with a
# batch stored meanwhile.
# The touchpoints are checked here, for the whole batch, instead of by a foreign key row by
# row, and locked until the commit against their deletion (Feedback.touchpoint says why). A
# row whose touchpoint was deleted since it was validated is left out, and counted with the
# duplicates.
INSERT_FROM_STAGING = f"""
WITH live AS (
    SELECT id FROM touchpoints_touchpoint
    WHERE id IN (SELECT touchpoint_id FROM feedback_staging)
    FOR KEY SHARE
), inserted AS (
    INSERT INTO feedback_feedback ({", ".join(COLUMNS)}, received_at)
    SELECT {STAGED}, now() FROM feedback_staging
    WHERE touchpoint_id IN (SELECT id FROM live)
    ON CONFLICT (workspace_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
    RETURNING touchpoint_id, occurred_at, nps, csat, ces, sentiment, outcome, is_negative,
        journey_id, customer_ref
), customers AS (
    INSERT INTO feedback_atriskdirtycustomer (journey_id, customer_ref)
    SELECT DISTINCT journey_id, customer_ref FROM inserted
    WHERE is_negative AND customer_ref <> ''
), rolled AS (
    INSERT INTO feedback_dailyrollup (
        touchpoint_id, day, responses, nps_n, promoters, detractors, csat_n, csat_top2,
        ces_n, ces_sum, sentiment_n, sentiment_sum, outcome_n, resolved, negative
    )
    SELECT touchpoint_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*), count(nps),
        count(*) FILTER (WHERE nps >= 9), count(*) FILTER (WHERE nps <= 6),
        count(csat), count(*) FILTER (WHERE csat >= 4), count(ces), coalesce(sum(ces), 0),
        count(sentiment), coalesce(sum(sentiment), 0), count(nullif(outcome, '')),
        count(*) FILTER (WHERE outcome = 'resolved'), count(*) FILTER (WHERE is_negative)
    FROM inserted GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (touchpoint_id, day) DO UPDATE SET
        responses = feedback_dailyrollup.responses + excluded.responses,
        nps_n = feedback_dailyrollup.nps_n + excluded.nps_n,
        promoters = feedback_dailyrollup.promoters + excluded.promoters,
        detractors = feedback_dailyrollup.detractors + excluded.detractors,
        csat_n = feedback_dailyrollup.csat_n + excluded.csat_n,
        csat_top2 = feedback_dailyrollup.csat_top2 + excluded.csat_top2,
        ces_n = feedback_dailyrollup.ces_n + excluded.ces_n,
        ces_sum = feedback_dailyrollup.ces_sum + excluded.ces_sum,
        sentiment_n = feedback_dailyrollup.sentiment_n + excluded.sentiment_n,
        sentiment_sum = feedback_dailyrollup.sentiment_sum + excluded.sentiment_sum,
        outcome_n = feedback_dailyrollup.outcome_n + excluded.outcome_n,
        resolved = feedback_dailyrollup.resolved + excluded.resolved,
        negative = feedback_dailyrollup.negative + excluded.negative
    RETURNING touchpoint_id
), dirty AS (
    INSERT INTO feedback_dirtytouchpoint (touchpoint_id, marked_at)
    SELECT DISTINCT touchpoint_id, now() FROM rolled ORDER BY 1
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM inserted
"""


@contextmanager
def rows_stored(rows: list[tuple]) -> Iterator[Callable[[], int]]:
    """COPY into a staging table, then one INSERT … ON CONFLICT DO NOTHING, sent without waiting
    for it; the block calls what it gets for the rows added."""
    if not rows:
        yield lambda: 0
        return
    with connection.cursor() as cursor:
        cursor.execute(STAGING_TABLE)
        # ON COMMIT empties the table, but a batch stored inside an enclosing transaction (an
        # import chunk, a test) would otherwise see the previous batch's rows and insert them again.
        cursor.execute("DELETE FROM feedback_staging")
        copy_sql = f"COPY feedback_staging ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(copy_sql) as copy:
            copy.set_types(list(STAGING_TYPES.values()))
            for row in rows:
                copy.write_row(row)
        with connection.connection.pipeline():
            cursor.execute(INSERT_FROM_STAGING)
            yield lambda: cursor.fetchone()[0]


# The tables an ingest grows. Autovacuum may be off (it is on the development machine), and a
# planner that still thinks feedback is empty after a million rows chose a nested loop for the
# at-risk refresh that ran for minutes (265 ms once analysed).
GROWN_TABLES = ("feedback_feedback", "feedback_dailyrollup", "feedback_dirtytouchpoint")
ANALYZE_MIN_ROWS = 5_000
# Analyse once the rows changed since the last ANALYZE reach this share of what the planner
# believes the table holds: a 1,000,000-row import into an empty table analyses 5 times.
ANALYZE_GROWTH = 1.0

GROWTH_SQL = """
SELECT greatest(c.reltuples, 0), coalesce(s.n_mod_since_analyze, 0)
FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.oid = 'feedback_feedback'::regclass
"""
ANALYZE_SQL = f"ANALYZE {', '.join(GROWN_TABLES)}"


def analyze_if_grown(*, added: int = 0) -> bool:
    """ANALYZE the tables ingestion grows when feedback grew by a large share since it was last
    analysed (one catalogue read otherwise). `added`: rows just committed, which the statistics
    (sent at most once a second) may not count yet. Run by a task: an ANALYZE of millions of
    rows takes a second, which no API client should wait for."""
    with connection.cursor() as cursor:
        cursor.execute(GROWTH_SQL)
        believed, changed = cursor.fetchone()
        if not has_grown(believed=believed, changed=max(changed, added)):
            return False
        cursor.execute(ANALYZE_SQL)
    return True


def has_grown(*, believed: float, changed: int) -> bool:
    """Whether the rows changed since the last ANALYZE are many, and as many as the planner
    believes the table holds (times ANALYZE_GROWTH)."""
    return changed >= max(ANALYZE_MIN_ROWS, ANALYZE_GROWTH * believed)


def tables_analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(ANALYZE_SQL)
