"""The rejected rows of an import, downloaded in the file's own format (CSV or TSV with its
delimiter and header rows, JSON Lines, a JSON array) with `_row` (the line in the file) and
`_errors` added: the same answer from the page and the API. Fix the rows, import the file
again."""

import csv
import io
from collections.abc import Iterator

import orjson
from django.http import StreamingHttpResponse

from feedback.models import ImportFormat, ImportJob, ImportRejectedRow

CONTENT_TYPES = {
    ImportFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    ImportFormat.TSV: ("text/tab-separated-values; charset=utf-8", "tsv"),
    ImportFormat.JSONL: ("application/x-ndjson", "jsonl"),
    ImportFormat.JSON: ("application/json", "json"),
}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rejected_rows_response(job: ImportJob) -> StreamingHttpResponse:
    content_type, extension = CONTENT_TYPES.get(job.format, CONTENT_TYPES[ImportFormat.CSV])
    writers = {ImportFormat.JSONL: rejected_jsonl, ImportFormat.JSON: rejected_json}
    body = writers.get(job.format, rejected_csv)(job)
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.{extension}"'
    return response


def reasons_text(errors: list) -> str:
    return "; ".join(f"{label}: {message}" if label else message for label, message in errors)


def escaped(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def rows_of(job: ImportJob) -> Iterator[ImportRejectedRow]:
    return job.rejected_rows.order_by("row_number", "pk").iterator(chunk_size=2000)


def rejected_csv(job: ImportJob) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=job.delimiter or ",")

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    # A file that was not plain UTF-8 came from a spreadsheet most likely: the BOM tells it
    # that this one is UTF-8.
    if job.encoding not in ("utf-8", "ascii"):
        buffer.write("\ufeff")
    header = job.header or [job.columns]
    for position, cells in enumerate(header):
        extra = ["_row", "_errors"] if position == 0 else ["", ""]
        writer.writerow([*map(escaped, cells), *extra])
    yield flush()
    for row in rows_of(job):
        cells = row.data.get("cells", []) if isinstance(row.data, dict) else []
        writer.writerow([*map(escaped, cells), row.row_number, escaped(reasons_text(row.errors))])
        yield flush()


def json_record(row: ImportRejectedRow) -> dict:
    """The record as it was in the file, with _row and _errors; a record that was not an
    object (or not JSON) goes under _value (or _text)."""
    data = row.data if isinstance(row.data, dict) else {}
    reasons = [f"{label}: {message}" if label else message for label, message in row.errors]
    if "json" in data:
        value = orjson.loads(data["json"])
        record = value if isinstance(value, dict) else {"_value": value}
    else:
        record = {"_text": data.get("text", "")}
    return {**record, "_row": row.row_number, "_errors": reasons}


def rejected_jsonl(job: ImportJob) -> Iterator[bytes]:
    for row in rows_of(job):
        yield orjson.dumps(json_record(row)) + b"\n"


def rejected_json(job: ImportJob) -> Iterator[bytes]:
    yield b"["
    for position, row in enumerate(rows_of(job)):
        yield (b",\n" if position else b"\n") + orjson.dumps(json_record(row))
    yield b"\n]\n"


def rejected_row_cells(job: ImportJob, row: ImportRejectedRow) -> list[tuple[str, str]]:
    """(column, value) for the page: the cells with their column's name, or the record."""
    data = row.data if isinstance(row.data, dict) else {}
    if "cells" in data:
        return list(zip(job.columns, data["cells"], strict=False))
    return [("", data.get("json") or data.get("text", ""))]
