"""Properties of reading files, whatever is in them (hypothesis): no exception escapes the
readers or the record → item → validation path, and every record comes out either as an item
that ingestion stores or as a rejected row with its reasons. A whole import of arbitrary bytes
ends done or failed, its counters adding up."""

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback import readers
from feedback.imports import (
    csv_item,
    import_create,
    import_run,
    json_item,
    json_plan,
    key_path,
)
from feedback.ingestion import FIELDS, TouchpointIndex, Unreadable, field_checks, validate_item
from feedback.models import ImportJob, ImportStatus
from feedback.preview import PREVIEW_ROWS, import_preview
from feedback.readers import ImportFileError, clean

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "cp1250", "shift_jis"]
TOUCHPOINT = (uuid.uuid4(), uuid.uuid4())


def index() -> TouchpointIndex:
    found = TouchpointIndex.__new__(TouchpointIndex)
    found.by_id, found.by_key = {str(TOUCHPOINT[0]): TOUCHPOINT}, {"checkout": TOUCHPOINT}
    return found


def accounted(item, *, date_format: str = "iso") -> None:
    """The item validates to a stored row or to reasons, and a row holds nothing PostgreSQL
    would refuse."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    checks = field_checks(datetime.now(UTC), ZoneInfo("Europe/Madrid"), date_format)
    row, errors = validate_item(item, 1, index(), checks)
    assert (row is None) == bool(errors)
    if row is not None:
        for value in row:
            if isinstance(value, str):
                assert clean(value) == value


def text_in_cells(cells: list) -> bool:
    return all(isinstance(cell, str) for cell in cells)


@given(
    text=st.text(),
    delimiter=st.sampled_from(readers.DELIMITERS),
    header_rows=st.integers(1, 3),
)
@settings(max_examples=300, deadline=None)
def test_any_text_reads_as_csv_rows(text, delimiter, header_rows):
    try:
        records = readers.CsvRecords(
            io.StringIO(text, newline=""),
            delimiter=delimiter,
            header_rows=header_rows,
            encoding="utf-8",
        )
    except ImportFileError:
        return  # a header over the csv module's size limit
    previous = 0
    columns = records.columns
    plan = [(name, position, None) for position, name in enumerate(sorted(FIELDS))]
    for line, cells, value in records:
        assert line > previous
        previous = line
        assert text_in_cells(cells)
        assert value is cells or isinstance(value, Unreadable)
        accounted(csv_item(value, plan, {"touchpoint_key": "checkout"}))
    assert text_in_cells(columns)


@given(
    content=st.binary(max_size=2000),
    encoding=st.sampled_from(ENCODINGS),
    file_format=st.sampled_from(["csv", "jsonl", "json"]),
)
@settings(max_examples=300, deadline=None)
def test_any_bytes_in_any_encoding_read_as_records(content, encoding, file_format):
    text = readers.text_stream(io.BytesIO(content), encoding)
    try:
        if file_format == "csv":
            records = list(
                readers.CsvRecords(text, delimiter=",", header_rows=1, encoding=encoding)
            )
        elif file_format == "jsonl":
            records = list(readers.jsonl_records(text, encoding=encoding))
        else:
            records = list(readers.json_array_records(text, encoding=encoding, block=64))
    except ImportFileError:
        return
    for line, _raw, value in records:
        assert line >= 1
        if isinstance(value, Unreadable):
            continue
        # What was read is text PostgreSQL can hold, or it was rejected.
        if file_format == "csv":
            assert not any(readers.BAD_BYTES.search(cell) for cell in value)
        else:
            json.dumps(value)  # a JSON value, nothing else


@given(content=st.binary(max_size=4000), name=st.sampled_from(["f.csv", "f.json", "f", "f.tsv"]))
@settings(max_examples=200, deadline=None)
def test_finding_how_to_read_any_bytes_fails_only_as_a_file(content, name):
    utf8 = readers.Utf8Check()
    utf8.feed(content)
    utf8.feed(b"", final=True)
    try:
        layout, sample = readers.find_layout(
            content, name=name, size=len(content), given={}, utf8=utf8
        )
    except ImportFileError:
        return
    assert layout.format in ("csv", "tsv", "jsonl", "json")
    assert layout.encoding


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Objects with the feedback fields (and the keys a mapping names) holding anything.
records = (
    st.dictionaries(
        st.sampled_from([*sorted(FIELDS), "rating", "ts", "x"]), json_values, max_size=8
    )
    | json_values
)


@given(record=records, date_format=st.sampled_from(["iso", "epoch_ms", "%d/%m/%Y %H:%M"]))
@settings(max_examples=500, deadline=None)
def test_any_json_record_becomes_an_item_or_a_rejected_row(record, date_format):
    job = ImportJob(
        mapping={"csat": "rating.score", "occurred_at": "ts", "comment": "rating.text"},
        defaults={"touchpoint_key": "checkout"},
        value_map={"outcome": {"Solved": "resolved"}, "csat": {"good": 5}},
        decimal=",",
    )
    plan, labels = json_plan(job)
    accounted(json_item(record, plan, job.defaults), date_format=date_format)
    assert key_path("rating.score")(record if isinstance(record, dict) else {}) is not Ellipsis


@pytest.mark.django_db
@given(content=st.binary(max_size=3000), name=st.sampled_from(["f.csv", "f.jsonl", "f.json"]))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_whole_import_of_any_bytes_ends_with_every_record_counted(touchpoint, content, name):
    job = import_create(
        workspace=touchpoint.workspace,
        upload=SimpleUploadedFile(name, content),
        options={"defaults": {"touchpoint_key": "checkout"}, "timezone": "UTC"},
        created_by="hypothesis",
    )
    import_run(job.pk)
    job.refresh_from_db()
    assert job.status in (ImportStatus.DONE, ImportStatus.FAILED)
    if job.status == ImportStatus.DONE:
        assert job.processed == job.accepted + job.duplicates + job.rejected == job.total
        assert job.rejected_rows.count() == job.rejected
    else:
        assert job.error and not job.error.startswith("The import stopped on an unexpected")


@pytest.mark.django_db
@given(
    content=st.binary(max_size=3000),
    name=st.sampled_from(["f.csv", "f.jsonl", "f.json", "f.txt"]),
    cut=st.booleans(),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_preview_of_any_bytes_is_rows_or_a_reason(touchpoint, content, name, cut):
    """The import page's preview, of a whole file or of its start (`cut`): every row shown is
    stored values or reasons, and the suggestion names the file's columns."""
    try:
        shown = import_preview(
            workspace=touchpoint.workspace,
            upload=SimpleUploadedFile(name, content),
            options={"defaults": {"touchpoint_key": "checkout"}, "timezone": "UTC"},
            size=len(content) * (2 if cut else 1),
            suggest=True,
        )
    except ImportFileError as exc:
        assert str(exc)
        return
    assert len(shown.rows) <= PREVIEW_ROWS
    assert set(shown.job.mapping.values()) <= set(shown.columns)
    for row in shown.rows:
        assert bool(row.values) != bool(row.reasons)
