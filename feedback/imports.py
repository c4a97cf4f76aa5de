"""File imports: an upload kept in the database in chunks, read back by a worker as a stream
(feedback.readers: CSV, TSV, JSON Lines, a JSON array, in any encoding) and sent through the
same ingestion as the API, in batches, with live counters. Every record of the file is counted:
imported, duplicate, or rejected with reasons that name the file's own column."""

import gc
import io
import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta, tzinfo
from functools import partial
from itertools import islice
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback import publishing, readers, tasks
from feedback.ingestion import (
    FIELDS,
    Batch,
    TouchpointIndex,
    Unreadable,
    feedback_store_started,
    tables_analyze,
    validate_batch,
)
from feedback.models import (
    ImportChunk,
    ImportFormat,
    ImportJob,
    ImportProfile,
    ImportRejectedRow,
    ImportStatus,
)
from feedback.readers import ImportFileError, clean, clean_text
from workspaces.models import Workspace

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
BATCH_ROWS = 50_000
# Chunks read ahead before a batch's INSERT is sent: a batch of the benchmark's rows is 3 MB.
PREFETCH_CHUNKS = 8
MAX_REJECTED_ROWS_KEPT = 10_000
MAX_REJECTED_TEXT = 10_000
# The options an upload takes, and a profile saves (feedback.api.ImportOptionsSerializer).
OPTIONS = (
    "format",
    "delimiter",
    "encoding",
    "header_rows",
    "mapping",
    "defaults",
    "value_map",
    "date_format",
    "timezone",
    "decimal",
)
TABULAR = (ImportFormat.CSV, ImportFormat.TSV)

__all__ = ["ImportFileError", "import_create", "import_run"]


def import_create(
    *,
    workspace: Workspace,
    upload,
    options: dict,
    profile: ImportProfile | None = None,
    created_by: str,
) -> ImportJob:
    """Stores the upload in chunks, finds how to read it from its first megabyte (what the
    options and the profile leave open), and queues the job once the transaction commits. A file
    that cannot be read as a whole (empty, not the format it is given, a mapping naming a column
    it lacks) fails at once."""
    given = options_given(options, profile)
    with transaction.atomic():
        job = job_new(
            workspace=workspace,
            filename=upload.name,
            given=given,
            profile=profile,
            created_by=created_by,
        )
        job.save()
        upload.seek(0)
        sample = upload.read(readers.SAMPLE_BYTES)
        upload.seek(0)
        utf8 = readers.Utf8Check()
        around, lines, last = b"", 0, b""
        # Not upload.chunks(): a file kept in memory comes as one piece, whatever its size.
        for seq, data in enumerate(iter(partial(upload.read, CHUNK_BYTES), b"")):
            ImportChunk.objects.create(job=job, seq=seq, data=data)
            if not job.encoding and utf8.failed_at is None:
                utf8.feed(data)
                if utf8.failed_at is not None:
                    at = utf8.failed_at - (utf8.offset - len(data))
                    around = data[max(at - 32 * 1024, 0) : at + 32 * 1024]
            job.size_bytes += len(data)
            lines += data.count(b"\n")
            last = data
        if job.size_bytes and not last.endswith(b"\n"):
            lines += 1
        if not job.encoding:
            utf8.feed(b"", final=True)
        job.error = "" if job.size_bytes else _("The file is empty.")
        if not job.error:
            try:
                layout_set(job, sample, utf8=utf8, around=around, lines=lines, given=given)
            except ImportFileError as exc:
                job.error = str(exc)
        if job.error:
            ImportChunk.objects.filter(job=job).delete()
            job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
        job.save()
        if not job.error:
            publishing.publish_on_commit(tasks.import_feedback_task, str(job.pk))
    return job


def options_given(options: dict, profile: ImportProfile | None) -> dict:
    """The options of an upload: the profile's, under those given with the upload."""
    return {**(profile.options if profile else {}), **options}


def job_new(
    *,
    workspace: Workspace,
    filename: str,
    given: dict,
    profile: ImportProfile | None = None,
    created_by: str = "",
) -> ImportJob:
    """A job, not yet saved, holding the options given, in the active language (the request's:
    the worker writes its reasons in it)."""
    return ImportJob(
        workspace=workspace,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=created_by,
        filename=clean_text(filename or "upload")[:255],
        profile=profile,
        format=given.get("format", ""),
        encoding=given.get("encoding", ""),
        delimiter=given.get("delimiter", ""),
        header_rows=given.get("header_rows"),
        mapping=given.get("mapping", {}),
        defaults=given.get("defaults", {}),
        value_map=given.get("value_map", {}),
        date_format=given.get("date_format", "iso"),
        timezone=given.get("timezone", ""),
        decimal=given.get("decimal", "."),
    )


def layout_set(
    job: ImportJob, sample: bytes, *, utf8, around: bytes, lines: int, given: dict
) -> readers.Sample:
    """How to read the file, on the job; what its first megabyte showed."""
    layout, seen = readers.find_layout(
        sample, name=job.filename, size=job.size_bytes, given=given, utf8=utf8, around=around
    )
    job.format, job.encoding, job.delimiter = layout.format, layout.encoding, layout.delimiter
    job.header_rows, job.detected = layout.header_rows, layout.detected
    job.timezone = job.timezone or layout.timezone
    if job.format in TABULAR:
        job.header, job.columns = clean(seen.header), clean(seen.columns)
        if seen.complete_header:
            csv_plan(job, seen.columns)  # a mapped column the file lacks fails the job now
        # An estimate for the progress bar until the worker has read the whole file.
        job.total = max(lines - (job.header_rows or 1), 0)
    else:
        json_plan(job, seen.values)
        job.total = seen.estimate if job.format == ImportFormat.JSON else lines
    return seen


class ChunkReader(io.RawIOBase):
    """The stored chunks of a job as one binary stream, fetched one chunk at a time, or a few
    ahead when asked to (prefetch)."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.seq = 0
        self.buffer = memoryview(b"")
        self.ahead: deque[bytes] = deque()
        self.ended = False

    def readable(self) -> bool:
        return True

    def fetch(self) -> bytes | None:
        if self.ended:
            return None
        data = (
            ImportChunk.objects.filter(job=self.job, seq=self.seq)
            .values_list("data", flat=True)
            .first()
        )
        self.ended = data is None
        self.seq += 0 if data is None else 1
        return None if data is None else bytes(data)

    def prefetch(self, count: int) -> None:
        while len(self.ahead) < count and (data := self.fetch()) is not None:
            self.ahead.append(data)

    def readinto(self, target) -> int:
        while not self.buffer:
            data = self.ahead.popleft() if self.ahead else self.fetch()
            if data is None:
                return 0
            # A memoryview, so that taking a piece off the front does not copy the rest.
            self.buffer = memoryview(data)
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


# How one field of an item is read from a record: (field, where, convert or None).
Plan = list[tuple[str, object, Callable | None]]


def converter(job: ImportJob, name: str, *, tabular: bool) -> Callable | None:
    """The value_map of the field, the decimal comma of sentiment, the JSON of a CSV's metadata
    cell; None when the value goes through as it is (most fields, most files)."""
    steps = []
    if job.value_map.get(name):
        table = {str(key).strip().casefold(): value for key, value in job.value_map[name].items()}
        steps.append(lambda value: table.get(str(value).strip().casefold(), value))
    if name == "sentiment" and job.decimal == ",":
        steps.append(lambda value: value.replace(",", ".") if isinstance(value, str) else value)
    if name == "metadata" and tabular:

        def metadata(value):
            with suppress(orjson.JSONDecodeError):  # else reported as not an object
                return orjson.loads(value)
            return value

        steps.append(metadata)
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def chained(value):
        for step in steps:
            if value is None:
                return None
            value = step(value)
        return value

    return chained


def labels_for(job: ImportJob, sources: dict[str, str]) -> dict[str, str]:
    """{field: how a reason names it}: the file's column with the field, "Score (nps)"."""
    labels = {name: _("%(field)s (default)") % {"field": name} for name in job.defaults}
    for name, source in sources.items():
        labels[name] = name if source == name else f"{source} ({name})"
    return labels


def find_column(columns: list[str], wanted: str) -> int | None:
    """The first column of that name; else of that name in another case or with spaces."""
    if wanted in columns:
        return columns.index(wanted)
    folded = [column.strip().casefold() for column in columns]
    key = wanted.strip().casefold()
    return folded.index(key) if key in folded else None


def csv_plan(job: ImportJob, columns: list[str]) -> tuple[Plan, dict[str, str]]:
    """The plan and the labels of reasons; raises ImportFileError when the mapping names a
    column the file lacks."""
    plan, sources = [], {}
    for name, column in job.mapping.items():
        index = find_column(columns, column)
        if index is None:
            raise ImportFileError(
                _("Column %(column)s (mapped to %(field)s) is not in the file.")
                % {"column": repr(column), "field": name}
            )
        plan.append((name, index, converter(job, name, tabular=True)))
        sources[name] = columns[index]
    for name in sorted(FIELDS - job.mapping.keys()):
        if name in columns:
            plan.append((name, columns.index(name), converter(job, name, tabular=True)))
            sources[name] = name
    return plan, labels_for(job, sources)


def key_path(path: str) -> Callable:
    """record → the value at a key, or at a dotted path of keys ("rating.score"); None if
    absent. A key that holds dots itself is found first."""
    parts = path.split(".")

    def get(record):
        value = record.get(path)
        if value is not None or len(parts) == 1:
            return value
        value = record
        for part in parts:
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdecimal() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value

    return get


def json_plan(job: ImportJob, sample: list | None = None) -> tuple[Plan, dict[str, str]]:
    """The plan and the labels of reasons. With the first records of the file, raises
    ImportFileError when the mapping names a key none of them has (checked once, at upload)."""
    plan = []
    for name in sorted(FIELDS):
        plan.append(
            (name, key_path(job.mapping.get(name, name)), converter(job, name, tabular=False))
        )
    objects = [value for value in sample or [] if isinstance(value, dict)]
    if objects:
        getters = dict((name, get) for name, get, _ in plan)
        for name, path in job.mapping.items():
            if not any(getters[name](value) is not None for value in objects):
                raise ImportFileError(
                    _(
                        "Key %(key)s (mapped to %(field)s) is in none of the first "
                        "%(count)s records of the file."
                    )
                    % {"key": repr(path), "field": name, "count": f"{len(objects):,}"}
                )
    return plan, labels_for(job, dict(job.mapping))


def csv_item(cells, plan: Plan, defaults: dict):
    if isinstance(cells, Unreadable):
        return cells
    item = dict(defaults)
    count = len(cells)
    for name, index, convert in plan:
        if index < count:
            value = cells[index]
            if value:  # an empty cell leaves the field to its default
                if convert is not None:
                    value = convert(value)
                    if value is None:
                        continue
                item[name] = value
    return item


def json_item(record, plan: Plan, defaults: dict):
    if not isinstance(record, dict):
        return record  # rejected by ingestion as not an object (or with its Unreadable reason)
    item = dict(defaults)
    for name, get, convert in plan:
        value = get(record)
        if value is not None and convert is not None:
            value = convert(value)
        if value is not None:
            item[name] = value
    return item


def rejected_data(job: ImportJob, raw, value) -> dict:
    """What the download of rejected rows writes back: the cells, the JSON as it was, or the
    text that could not be read."""
    if job.format in TABULAR:
        return {"cells": clean(raw)}
    if isinstance(value, Unreadable):
        return {"text": clean_text(raw[:MAX_REJECTED_TEXT])}
    # orjson keeps the keys in the file's order, which jsonb would not.
    return {"json": orjson.dumps(value).decode()}


def reasons(errors: dict, labels: dict) -> list[list[str]]:
    """[[label, message], …] in the order ingestion reports them."""
    return [
        [clean_text(labels.get(name, "" if name == "non_field_errors" else name)), clean_text(m)]
        for name, messages in errors.items()
        for m in messages
    ]


def import_run(job_id) -> None:
    """Processes a job from where it stopped: a redelivered task (its worker was killed)
    resumes after the rows already counted, because counters and rows commit together, batch by
    batch. Whatever goes wrong in the worker ends the job failed, with the reason; only when
    even that cannot be recorded (the database is gone) does the task fail, and its retry
    resumes."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(
        status=ImportStatus.RUNNING, started_at=Coalesce("started_at", Value(now)), heartbeat_at=now
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("workspace").get(pk=job_id)
    # Long after the upload: its reasons and errors in the language of the one who uploaded it.
    with translation.override(job.language):
        try:
            with cycle_collection_paused():
                done = process(job)
            if not done:
                return
            # So that the planner knows the new size of what the import grew.
            tables_analyze()
        except ImportFileError as exc:
            fail(job, str(exc))
        except Exception as exc:
            log.exception("Import %s stopped", job.pk)
            fail(
                job,
                _(
                    "The import stopped on an unexpected error (%(error)s). The rows counted "
                    "before it are stored."
                )
                % {"error": f"{type(exc).__name__}: {str(exc)[:500]}"},
            )
        else:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE, total=F("processed"), finished_at=timezone.now()
            )
    # A finished or failed job never runs again.
    ImportChunk.objects.filter(job=job).delete()


def imports_to_resume() -> list:
    """Jobs that lost their task: queued while the broker was down (their publish was lost),
    or running with no sign of their worker, for IMPORT_STALE_SECONDS (a queued job's task is
    taken within a second; a killed worker's task the broker redelivers only after its
    visibility timeout, an hour by default).
    Giving one to a second worker while the first still runs is safe: the batch counts are
    claimed by a conditional update, and the slower worker steps back."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    lost_publish = Q(status=ImportStatus.QUEUED, created_at__lt=stale)
    lost_worker = Q(status=ImportStatus.RUNNING) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)
    )
    return list(ImportJob.objects.filter(lost_publish | lost_worker).values_list("pk", flat=True))


def import_abandon(job_id, *, reason: str) -> None:
    """A job whose task failed for good: failed, if it was still queued or running."""
    try:
        job = ImportJob.objects.filter(
            pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        )
        language = job.values_list("language", flat=True).first() or settings.LANGUAGE_CODE
        with translation.override(language):
            error = _("The import stopped and could not resume (%(reason)s).") % {
                "reason": reason[:500]
            }
        job.update(status=ImportStatus.FAILED, error=clean_text(error), finished_at=timezone.now())
        ImportChunk.objects.filter(job_id=job_id).delete()
    except Exception:
        log.exception("Import %s could not be marked failed", job_id)


def fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=clean_text(message), finished_at=timezone.now()
    )


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """A batch is tens of thousands of small objects that live until it is stored, and each
    pass of Python's cycle collector walked them all again (8 of 36 s of a 400,000-row import
    in the profile). Reference counting still frees them batch by batch; the few cycles left
    are collected at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def records_of(job: ImportJob, chunks: io.RawIOBase) -> tuple[Iterator, Callable, dict[str, str]]:
    """(line, raw, value) per record of the file, value → item, and the labels of reasons."""
    text = readers.text_stream(chunks, job.encoding or "utf-8")
    if job.format in TABULAR:
        source = readers.CsvRecords(
            text,
            delimiter=job.delimiter or ",",
            header_rows=job.header_rows or 1,
            encoding=job.encoding,
        )
        if not source.header:
            raise ImportFileError(_("The file has no header row."))
        plan, labels = csv_plan(job, source.columns)
        header, columns = clean(source.header), clean(source.columns)
        if (job.header, job.columns) != (header, columns):
            job.header, job.columns = header, columns
            ImportJob.objects.filter(pk=job.pk).update(header=header, columns=columns)
        return iter(source), partial(csv_item, plan=plan, defaults=job.defaults), labels
    reader = (
        readers.jsonl_records if job.format == ImportFormat.JSONL else readers.json_array_records
    )
    plan, labels = json_plan(job)
    to_item = partial(json_item, plan=plan, defaults=job.defaults)
    return reader(text, encoding=job.encoding), to_item, labels


def process(job: ImportJob) -> bool:
    """True once the whole file is processed; False when another worker runs the job too and
    is ahead of this one. While PostgreSQL inserts a batch, the next one is read and validated:
    the two take about as long, on the two cores."""
    naive_tz: tzinfo | None = ZoneInfo(job.timezone) if job.timezone else None
    chunks = ChunkReader(job)
    records, to_item, labels = records_of(job, chunks)
    records = islice(records, job.processed, None)
    # All the workspace's touchpoints, once: a query per batch would wait for the INSERT.
    touchpoints = TouchpointIndex(job.workspace, None)

    def validated() -> tuple[list, Batch] | None:
        batch = list(islice(records, BATCH_ROWS))
        if not batch:
            return None
        items = [to_item(value) for _, _, value in batch]
        checked = validate_batch(
            job.workspace,
            items,
            naive_tz=naive_tz,
            date_format=job.date_format,
            touchpoints=touchpoints,
        )
        return batch, checked

    upcoming = validated()
    while upcoming is not None:
        batch, checked = upcoming
        with transaction.atomic():
            chunks.prefetch(PREFETCH_CHUNKS)  # what the next batch reads, before the INSERT
            with feedback_store_started(checked) as stored:
                upcoming = validated()
                result = stored()
            keep = max(MAX_REJECTED_ROWS_KEPT - job.rejected, 0)
            kept = []
            for rejected in result.rejected[:keep]:
                number, raw, value = batch[rejected["index"]]
                kept.append(
                    ImportRejectedRow(
                        job=job,
                        row_number=number,
                        data=rejected_data(job, raw, value),
                        errors=reasons(rejected["errors"], labels),
                    )
                )
            ImportRejectedRow.objects.bulk_create(kept)
            previous = job.processed
            job.processed += len(batch)
            job.accepted += result.accepted
            job.duplicates += result.duplicates
            job.rejected += len(result.rejected)
            job.total = max(job.total, job.processed)
            fields = ["processed", "accepted", "duplicates", "rejected", "total"]
            counted = ImportJob.objects.filter(pk=job.pk, processed=previous).update(
                **{name: getattr(job, name) for name in fields}, heartbeat_at=timezone.now()
            )
            if not counted:
                # A redelivered task (its visibility timeout passed) got here first: this batch
                # is that worker's, so undo it and leave the job to that worker.
                transaction.set_rollback(True)
                return False
    return True
