"""The import page's preview: the first rows of a file as the import would store them. It runs
what the import runs (the readers, the options, the value maps and dates, item validation) on
the first megabyte, and stores nothing."""

import io
from dataclasses import dataclass, field
from itertools import islice
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from feedback import imports, readers
from feedback.columns import MAPPED_FIELDS, suggest_mapping
from feedback.imports import TABULAR, ImportFileError
from feedback.ingestion import COLUMNS, TouchpointIndex, validate_batch
from feedback.models import ImportJob, ImportProfile
from workspaces.models import Workspace

PREVIEW_ROWS = 10
MAX_KEY_PATHS = 500
# Always shown; the other fields only when a row of the preview has them.
SHOWN_FIELDS = ("touchpoint_key", "occurred_at")


@dataclass
class PreviewRow:
    line: int
    values: dict  # field → the value stored, for the rows the import would accept
    reasons: list  # [[label, message], …] for the rows it would reject
    cells: list = field(default_factory=list)  # [(field, value)] in the table's columns


@dataclass
class Preview:
    job: ImportJob  # unsaved: the options, and how the file is read
    columns: list[str]
    suggested: set[str] = field(default_factory=set)
    rows: list[PreviewRow] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)  # the table's (field, label)
    error: str = ""  # the file can be read, but not imported with this mapping

    def mapping_fields(self) -> list[tuple[str, str, str]]:
        """(field, label, column) for each field a column can feed."""
        return [(name, label, self.job.mapping.get(name, "")) for name, label in MAPPED_FIELDS]


def key_paths(records: list) -> list[str]:
    """The keys of the first records, those of nested objects as dotted paths ("rating.score"),
    in the order they appear."""
    paths: dict[str, None] = {}

    def walk(value: dict, prefix: str) -> None:
        for key, item in value.items():
            if len(paths) >= MAX_KEY_PATHS:
                return
            if isinstance(item, dict) and item:
                walk(item, f"{prefix}{key}.")
            else:
                paths.setdefault(f"{prefix}{key}", None)

    for record in records[:PREVIEW_ROWS]:
        if isinstance(record, dict):
            walk(record, "")
    return list(paths)


def import_preview(
    *,
    workspace: Workspace,
    upload,
    options: dict,
    profile: ImportProfile | None = None,
    size: int = 0,
    suggest: bool = False,
) -> Preview:
    """`upload` may be the file's first megabyte alone, `size` that of the whole file. With
    `suggest`, the fields the options leave unmapped get the columns their names suggest.
    Raises ImportFileError when the file cannot be read at all."""
    sample = upload.read(readers.SAMPLE_BYTES)
    if not sample:
        raise ImportFileError(_("The file is empty."))
    size = max(size, len(sample))
    whole = len(sample) >= size
    given = imports.options_given(options, profile)
    utf8 = readers.Utf8Check()
    utf8.feed(sample, final=whole)
    job = imports.job_new(workspace=workspace, filename=upload.name, given=given, profile=profile)
    job.mapping = {}  # set once the columns are known
    seen = imports.layout_set(
        job, sample, utf8=utf8, around=b"", lines=sample.count(b"\n"), given=given
    )
    tabular = job.format in TABULAR
    columns = job.columns if tabular else key_paths(seen.values)
    mapping = dict(given.get("mapping", {}))
    preview = Preview(job=job, columns=columns)
    if suggest:
        questions = seen.header[1] if readers.header_shape(seen.header)[1] == "qualtrics" else []
        suggested = suggest_mapping(columns, questions)
        preview.suggested = suggested.keys() - mapping.keys()
        mapping = {**suggested, **mapping}
    job.mapping = mapping
    if "timezone" in job.detected:  # the zone of the date column it is now mapped to
        occurred_at = mapping.get("occurred_at", "occurred_at")
        job.timezone = readers.qualtrics_timezone(seen.header, seen.columns, occurred_at)
    try:
        if tabular:
            imports.csv_plan(job, seen.columns)
        else:
            imports.json_plan(job, seen.values)
        rows_read(preview, sample, whole=whole)
    except ImportFileError as exc:
        preview.error = str(exc)
    return preview


def rows_read(preview: Preview, sample: bytes, *, whole: bool) -> None:
    """The first rows, validated as the import validates them."""
    job = preview.job
    records, to_item, labels = imports.records_of(job, io.BytesIO(sample))
    batch = list(islice(records, PREVIEW_ROWS + 1))
    if not whole and len(batch) <= PREVIEW_ROWS:
        batch = batch[:-1]  # the last one may be cut by the end of the sample
    batch = batch[:PREVIEW_ROWS]
    items = [to_item(value) for _, _, value in batch]
    touchpoints = TouchpointIndex(job.workspace, items)
    checked = validate_batch(
        job.workspace,
        items,
        naive_tz=ZoneInfo(job.timezone) if job.timezone else None,
        date_format=job.date_format,
        touchpoints=touchpoints,
    )
    keys = {touchpoint_id: key for key, (touchpoint_id, _) in touchpoints.by_key.items()}
    rejected = {entry["index"]: entry["errors"] for entry in checked.rejected}
    stored = iter(checked.rows)
    for index, (line, _raw, _value) in enumerate(batch):
        if index in rejected:
            preview.rows.append(PreviewRow(line, {}, imports.reasons(rejected[index], labels)))
            continue
        values = dict(zip(COLUMNS, next(stored), strict=True))
        values["touchpoint_key"] = keys[values["touchpoint_id"]]
        preview.rows.append(PreviewRow(line, values, []))
    present = {
        name
        for row in preview.rows
        for name, value in row.values.items()
        if value not in (None, "", "{}")
    }
    if any(row.values.get("sentiment_pending") for row in preview.rows):
        present.add("sentiment")  # computed from the comment by a worker
    preview.fields = [
        (name, label)
        for name, label in MAPPED_FIELDS
        if name in SHOWN_FIELDS or (name in present and name in COLUMNS)
    ]
    for row in preview.rows:
        row.cells = [(name, row.values.get(name)) for name, _label in preview.fields]
