"""CSV answers: the one writer every CSV export goes through, streamed and safe to open in a
spreadsheet, and the renderer that lets `?format=csv` and `Accept: text/csv` choose it."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import StreamingHttpResponse
from rest_framework import renderers, serializers

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500
_DATETIME = serializers.DateTimeField()


def csv_cell(value):
    """A value as a CSV cell: text that a spreadsheet would run as a formula gets a leading
    `'`; numbers stay numbers (a negative number is not a formula), None is empty, date-times
    are ISO 8601 as the JSON answers write them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return _DATETIME.to_representation(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and the rows as CSV text, a few hundred rows at a time, so that a long
    export streams in constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(header: list[str], rows: Iterable[Iterable], *, filename: str):
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(renderers.BaseRenderer):
    """Only chooses CSV in content negotiation: the views that offer it answer csv_response
    themselves, and anything else a CSV request meets (an error) is answered in JSON (see
    workspaces.api.WorkspaceScopedViewSet.finalize_response)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("Answer CSV with config.csv_export.csv_response.")


class PlainTextRenderer(renderers.BaseRenderer):
    """Chooses text/plain in content negotiation, as CSVRenderer chooses CSV."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("Answer text with an HttpResponse.")


def wants(request, renderer: type[renderers.BaseRenderer]) -> bool:
    return isinstance(getattr(request, "accepted_renderer", None), renderer)
