"""The rejected rows of an import, downloaded as CSV: the same answer from the page and the API."""

import csv
import io

from django.http import StreamingHttpResponse

from feedback.models import ImportJob


def rejected_rows_response(job: ImportJob) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rejected_rows_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    return response


def rejected_rows_csv(job: ImportJob):
    rows = job.rejected_rows.values_list("row_number", "data", "errors")
    columns = list(job.columns)
    for _, data, _ in rows.iterator():
        if isinstance(data, dict):
            columns.extend(column for column in data if column not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(["row", "errors", *columns])
    yield flush()
    for number, data, errors in rows.iterator():
        reasons = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        values = [data.get(column, "") for column in columns] if isinstance(data, dict) else [data]
        writer.writerow([number, reasons, *values])
        yield flush()
