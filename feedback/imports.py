"""File imports: a CSV or JSON Lines upload, kept in the database in chunks and streamed by a
worker through the same ingestion path as the API, in batches, with live counters."""

import codecs
import csv
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import tzinfo
from functools import partial
from itertools import chain, islice
from zoneinfo import ZoneInfo

import orjson
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from feedback import publishing, tasks
from feedback.ingestion import FIELDS, UnparsedLine, feedback_ingest
from feedback.models import ImportChunk, ImportFormat, ImportJob, ImportRejectedRow, ImportStatus
from workspaces.models import Workspace

CHUNK_BYTES = 1024 * 1024
BATCH_ROWS = 50_000
MAX_REJECTED_ROWS_KEPT = 10_000


class ImportFileError(Exception):
    """The file as a whole cannot be read; the job fails with this message."""


def import_create(
    *,
    workspace: Workspace,
    upload,
    file_format: str,
    mapping: dict,
    defaults: dict,
    timezone_name: str,
    created_by: str,
) -> ImportJob:
    """Stores the upload in chunks and queues the job once the transaction commits. An empty file,
    or one that is not UTF-8, fails at once rather than after part of it was imported."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            workspace=workspace,
            created_by=created_by,
            filename=upload.name[:255],
            format=file_format,
            mapping=mapping,
            defaults=defaults,
            timezone=timezone_name,
        )
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 0
        upload.seek(0)
        # Not upload.chunks(): a file kept in memory comes as one piece, whatever its size.
        for seq, data in enumerate(iter(partial(upload.read, CHUNK_BYTES), b"")):
            job.error = job.error or not_utf8(decoder, data, line=lines + 1)
            if not job.error:
                ImportChunk.objects.create(job=job, seq=seq, data=data)
            job.size_bytes += len(data)
            lines += data.count(b"\n")
            last = data
        job.error = job.error or not_utf8(decoder, b"", line=lines + 1, final=True)
        if job.size_bytes and not last.endswith(b"\n"):
            lines += 1
        # An estimate for the progress bar until the worker has read the whole file.
        job.total = max(lines - 1, 0) if file_format == ImportFormat.CSV else lines
        if not job.size_bytes:
            job.error = "The file is empty."
        if job.error:
            ImportChunk.objects.filter(job=job).delete()
            job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
        job.save(update_fields=["size_bytes", "total", "error", "status", "finished_at"])
        if not job.error:
            publishing.publish_on_commit(tasks.import_feedback_task, str(job.pk))
    return job


def not_utf8(decoder: codecs.IncrementalDecoder, data: bytes, *, line: int, final=False) -> str:
    """The job's error if data (starting on that line) breaks the UTF-8 decoded so far, else ""."""
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError as exc:
        line += data[: max(exc.start - pending, 0)].count(b"\n")
        return f"The file is not UTF-8 text (line {line}). Save it as UTF-8 and import it again."
    return ""


class ChunkReader(io.RawIOBase):
    """The stored chunks of a job as one binary stream, fetched one chunk at a time."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.seq = 0
        self.buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer:
            data = (
                ImportChunk.objects.filter(job=self.job, seq=self.seq)
                .values_list("data", flat=True)
                .first()
            )
            if data is None:
                return 0
            # A memoryview, so that taking a piece off the front does not copy the rest.
            self.buffer = memoryview(bytes(data))
            self.seq += 1
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def _text_lines(job: ImportJob) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BufferedReader(ChunkReader(job)), encoding="utf-8-sig", newline="")


def columns_for(mapping: dict, header: list[str] | None) -> dict[str, str]:
    """{field: column} for the fields the file provides (JSON Lines: every field may appear)."""
    columns = {name: mapping.get(name, name) for name in FIELDS}
    if header is None:
        return columns
    for name in mapping:
        if columns[name] not in header:
            raise ImportFileError(
                f"Column {columns[name]!r} (mapped to {name}) is not in the file."
            )
    return {name: column for name, column in columns.items() if column in header}


def csv_records(job: ImportJob) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """The header, and (line number, {column: value}) for each data row. A Qualtrics export is
    recognised by its two extra header rows (question texts, then {"ImportId": …})."""
    reader = csv.reader(_text_lines(job))
    header = next(reader, None)
    if not header:
        raise ImportFileError("The file is empty.")
    header = [column.strip() for column in header]
    rows = numbered(reader)
    first = list(islice(rows, 2))
    if len(first) == 2 and first[1][1] and first[1][1][0].lstrip().startswith('{"ImportId"'):
        first = []
    records = (
        (number, dict(zip(header, row, strict=False)))
        for number, row in chain(first, rows)
        if any(row)
    )
    return header, records


def numbered(reader) -> Iterator[tuple[int, list[str]]]:
    """(line, row), numbering a record by the line it starts on: quoted fields may hold newlines."""
    end = reader.line_num
    for row in reader:
        yield end + 1, row
        end = reader.line_num


def jsonl_records(job: ImportJob) -> Iterator[tuple[int, dict | str]]:
    """(line number, object) per line; a line that is not JSON comes as its text, and is rejected."""
    for number, line in enumerate(_text_lines(job), start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError:
            yield number, UnparsedLine(line.strip()[:1000])


def to_item(record, columns: dict[str, str], defaults: dict, is_csv: bool):
    if not isinstance(record, dict):
        return record
    item = dict(defaults)
    for name, column in columns.items():
        value = record.get(column)
        if value is None or (is_csv and value == ""):
            continue
        if is_csv and name == "metadata":
            with suppress(orjson.JSONDecodeError):  # else reported as not an object
                value = orjson.loads(value)
        item[name] = value
    return item


def without_nul(value):
    """PostgreSQL's jsonb cannot hold a NUL character: a rejected row keeps U+FFFD instead."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def import_run(job_id) -> None:
    """Processes a job from where it stopped: a retried or redelivered task resumes after the
    rows already counted, because counters and rows commit together, batch by batch."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        return
    job = ImportJob.objects.select_related("workspace").get(pk=job_id)
    try:
        with cycle_collection_paused():
            done = process(job)
        if not done:
            return
    except (ImportFileError, UnicodeDecodeError, csv.Error) as exc:
        # import_create checks the encoding; a job stored before it did may still fail here.
        message = "The file is not UTF-8 text." if isinstance(exc, UnicodeDecodeError) else str(exc)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=message, finished_at=timezone.now()
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, total=F("processed"), finished_at=timezone.now()
        )
    # A finished or failed job never runs again.
    ImportChunk.objects.filter(job=job).delete()


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


def process(job: ImportJob) -> bool:
    """True once the whole file is processed; False when another worker runs the job too and
    is ahead of this one."""
    naive_tz: tzinfo | None = ZoneInfo(job.timezone) if job.timezone else None
    is_csv = job.format == ImportFormat.CSV
    if is_csv:
        header, records = csv_records(job)
    else:
        header, records = None, jsonl_records(job)
    columns = columns_for(job.mapping, header)
    if header and job.columns != header:
        job.columns = header
        ImportJob.objects.filter(pk=job.pk).update(columns=header)
    records = islice(records, job.processed, None)
    while batch := list(islice(records, BATCH_ROWS)):
        items = [to_item(record, columns, job.defaults, is_csv) for _, record in batch]
        with transaction.atomic():
            result = feedback_ingest(workspace=job.workspace, items=items, naive_tz=naive_tz)
            keep = max(MAX_REJECTED_ROWS_KEPT - job.rejected, 0)
            kept = []
            for rejected in result.rejected[:keep]:
                number, record = batch[rejected["index"]]
                # A JSON Lines "null" would be stored as SQL NULL.
                data = "null" if record is None else without_nul(record)
                kept.append(
                    ImportRejectedRow(
                        job=job, row_number=number, data=data, errors=rejected["errors"]
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
                **{name: getattr(job, name) for name in fields}
            )
            if not counted:
                # A redelivered task (its visibility timeout passed) got here first: this batch
                # is that worker's, so undo it and leave the job to that worker.
                transaction.set_rollback(True)
                return False
    return True
