"""File imports, run in-process: import_create stores the upload, import_run streams it through
ingestion. The real worker picking a job up is covered by test_worker_e2e.py."""

import csv
import gc
import io
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import imports
from feedback.imports import import_create, import_run
from feedback.models import Feedback, ImportChunk, ImportJob, ImportRejectedRow
from touchpoints.services import touchpoint_create

HEADER = "external_id,touchpoint_key,occurred_at,nps,csat,customer_ref,comment\n"
PLAIN_CSV = HEADER + (
    "a1,checkout,2026-11-20T10:00:00+01:00,9,5,cust-1,Great\n"
    "a2,checkout,2026-11-20T11:00:00+01:00,3,,,\n"
    "a3,nowhere,2026-11-20T11:00:00+01:00,9,5,,\n"
    "a4,checkout,not-a-date,9,5,,\n"
    "a1,checkout,2026-11-20T10:00:00+01:00,9,5,cust-1,Great\n"
    ",checkout,2026-11-20T12:00:00+00:00,,4,,\n"
)


def create(workspace, content, *, name="feedback.csv", **options) -> ImportJob:
    if isinstance(content, str):
        content = content.encode()
    return import_create(
        workspace=workspace,
        upload=SimpleUploadedFile(name, content),
        options=options,
        created_by="alice",
    )


def run(workspace, content, **options) -> ImportJob:
    job = create(workspace, content, **options)
    import_run(job.pk)
    job.refresh_from_db()
    return job


def counters(job: ImportJob) -> dict:
    names = ["status", "total", "processed", "accepted", "duplicates", "rejected", "error"]
    return {name: getattr(job, name) for name in names}


def rejected(job: ImportJob) -> list[tuple[int, list[str]]]:
    """(line, [labels of its reasons]) per rejected row."""
    return [(row.row_number, [label for label, _ in row.errors]) for row in job.rejected_rows.all()]


def cell(job: ImportJob, row: ImportRejectedRow, column: str) -> str:
    return row.data["cells"][job.columns.index(column)]


def stored(*names: str) -> list[tuple]:
    return list(Feedback.objects.order_by("occurred_at", "id").values_list(*names))


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 20, hour, minute, second, tzinfo=UTC)


def test_a_plain_csv_is_imported(workspace, touchpoint):
    job = run(workspace, PLAIN_CSV)

    assert counters(job) == {
        "status": "done",
        "total": 6,
        "processed": 6,
        "accepted": 3,
        "duplicates": 1,
        "rejected": 2,
        "error": "",
    }
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.size_bytes == len(PLAIN_CSV.encode())
    names = ("external_id", "occurred_at", "nps", "csat", "customer_ref", "comment", "touchpoint")
    assert stored(*names) == [
        ("a1", at(9), 9, 5, "cust-1", "Great", touchpoint.pk),
        ("a2", at(10), 3, None, "", "", touchpoint.pk),
        (None, at(12), None, 4, "", "", touchpoint.pk),
    ]
    assert rejected(job) == [(4, ["touchpoint_key"]), (5, ["occurred_at"])]
    row = job.rejected_rows.get(row_number=4)
    assert row.data["cells"] == ["a3", "nowhere", "2026-11-20T11:00:00+01:00", "9", "5", "", ""]
    assert row.errors == [["touchpoint_key", "No such touchpoint key in this workspace."]]
    assert (job.format, job.encoding, job.delimiter, job.header_rows) == ("csv", "utf-8", ",", 1)
    assert job.detected == ["encoding", "format", "delimiter", "header_rows"]
    assert not ImportChunk.objects.filter(job=job).exists()


def test_the_total_is_estimated_from_newlines_then_made_exact(workspace, touchpoint):
    content = HEADER + (
        "e1,checkout,2026-11-20T10:00:00Z,9,,,\n"
        'e2,checkout,2026-11-20T10:00:00Z,9,,,"two\nlines"\n'
        "e3,checkout,2026-11-20T10:00:00Z,9,,,\n"
        "\n"
    )
    job = create(workspace, content)
    assert (job.status, job.total, job.processed) == ("queued", 5, 0)
    import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.accepted) == ("done", 3, 3, 3)

    lines = '{"touchpoint_key": "checkout", "occurred_at": "2026-11-20T10:00:00Z", "nps": 9}'
    job = create(workspace, f"{lines}\n{lines}", name="f.jsonl", format="jsonl")
    assert job.total == 2  # the last line has no newline and still counts


def qualtrics_csv(responses: list[tuple[str, str, str, str]]) -> str:
    """A Qualtrics "CSV" export: column ids, question texts, import ids, then one row per
    response (recorded date, response id, NPS answer, comment)."""
    columns = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Madrid"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Madrid"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Madrid"}'),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
        (
            "Q_NPS",
            "How likely are you to recommend Acme to a friend or colleague?",
            '{"ImportId":"QID1"}',
        ),
        (
            "Q_NPS_NPS_GROUP",
            "How likely are you to recommend Acme to a friend or colleague? - Group",
            '{"ImportId":"QID1_NPS_GROUP"}',
        ),
        (
            "Q_Comment",
            "Anything else you'd like to tell us, in your own words?",
            '{"ImportId":"QID2_TEXT"}',
        ),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for part in range(3):
        writer.writerow([column[part] for column in columns])
    for recorded, response_id, nps, comment in responses:
        group = "" if not nps else "3" if int(nps) >= 9 else "1" if int(nps) <= 6 else "2"
        started = recorded[:-2] + "01"
        row = [started, recorded, "0", "83.45.1.2", "100", "152", "1", recorded, response_id]
        writer.writerow([*row, "anonymous", "ES", nps, group, comment])
    return buffer.getvalue()


QUALTRICS_OPTIONS = {
    "mapping": {
        "nps": "Q_NPS",
        "occurred_at": "RecordedDate",
        "comment": "Q_Comment",
        "customer_ref": "ResponseId",
        "external_id": "ResponseId",
    },
    "defaults": {"touchpoint_key": "checkout", "source": "qualtrics"},
}
QUALTRICS_RESPONSES = [
    ("2026-11-20 10:22:33", "R_1AbCdEfGhIjKlMn", "9", "Rápido, sencillo y sin sorpresas"),
    ("2026-11-20 11:05:10", "R_2OpQrStUvWxYz12", "4", ""),
    ("2026-11-20 12:40:00", "R_3ZyXwVuTsRqPoNm", "", ""),  # answered nothing: rejected
]


def test_a_qualtrics_export_is_imported(workspace, touchpoint):
    content = qualtrics_csv(QUALTRICS_RESPONSES)
    job = run(workspace, content, timezone="Europe/Madrid", **QUALTRICS_OPTIONS)

    assert counters(job) == {
        "status": "done",
        "total": 3,
        "processed": 3,
        "accepted": 2,
        "duplicates": 0,
        "rejected": 1,
        "error": "",
    }
    names = ("external_id", "customer_ref", "occurred_at", "nps", "comment", "source")
    assert stored(*names) == [
        (
            "R_1AbCdEfGhIjKlMn",
            "R_1AbCdEfGhIjKlMn",
            at(9, 22, 33),
            9,
            QUALTRICS_RESPONSES[0][3],
            "qualtrics",
        ),
        ("R_2OpQrStUvWxYz12", "R_2OpQrStUvWxYz12", at(10, 5, 10), 4, "", "qualtrics"),
    ]
    assert set(stored("touchpoint")) == {(touchpoint.pk,)}
    # Lines 2 and 3 are Qualtrics' header rows, so the third response is on line 6.
    assert rejected(job) == [(6, [""])]
    row = job.rejected_rows.get()
    assert cell(job, row, "ResponseId") == "R_3ZyXwVuTsRqPoNm"


def test_a_qualtrics_export_gives_its_time_zone(workspace, touchpoint):
    job = run(workspace, qualtrics_csv(QUALTRICS_RESPONSES[:1]), **QUALTRICS_OPTIONS)
    assert (job.status, job.accepted, job.rejected) == ("done", 1, 0)
    assert (job.timezone, job.header_rows) == ("Europe/Madrid", 3)
    assert {"timezone", "header_rows"} <= set(job.detected)
    # 10:22:33 in Madrid (UTC+1 in November) is 09:22:33 UTC.
    assert stored("occurred_at") == [(at(9, 22, 33),)]

    # A zone given with the upload wins over the export's.
    job = run(
        workspace,
        qualtrics_csv([("2026-11-20 10:22:33", "R_other", "9", "")]),
        timezone="UTC",
        **QUALTRICS_OPTIONS,
    )
    assert job.timezone == "UTC"
    assert "timezone" not in job.detected
    assert Feedback.objects.get(external_id="R_other").occurred_at == at(10, 22, 33)


def test_json_lines_are_imported(workspace, touchpoint):
    content = (
        '{"external_id": "j1", "touchpoint_key": "checkout", '
        '"occurred_at": "2026-11-20T10:00:00Z", "nps": 10}\n'
        "\n"
        "   \n"
        '{"external_id": "j2", "touchpoint_key": "checkout", '
        '"occurred_at": "2026-11-20T11:00:00Z", "csat": 4, "source": "app", '
        '"metadata": {"order": 42}}\r\n'
        '{"external_id": "j3", "touchpoint_key": "checkout", oops}\n'
        '[{"external_id": "j4", "touchpoint_key": "checkout", "nps": 9}]\n'
        "null\n"
        '{"touchpoint_key": "checkout", "occurred_at": "2026-11-20T12:00:00Z", "ces": 6}'
    )
    job = run(
        workspace,
        content,
        name="feedback.jsonl",
        format="jsonl",
        defaults={"source": "import"},
    )

    assert counters(job) == {
        "status": "done",
        "total": 6,
        "processed": 6,
        "accepted": 3,
        "duplicates": 0,
        "rejected": 3,
        "error": "",
    }
    assert stored("external_id", "nps", "csat", "ces", "source", "metadata") == [
        ("j1", 10, None, None, "import", {}),
        ("j2", None, 4, None, "app", {"order": 42}),
        (None, None, None, 6, "import", {}),
    ]
    assert rejected(job) == [
        (5, [""]),
        (6, [""]),
        (7, [""]),
    ]
    rows = {row.row_number: row for row in job.rejected_rows.all()}
    assert rows[5].errors == [["", "This record is not valid JSON."]]
    assert rows[5].data == {"text": '{"external_id": "j3", "touchpoint_key": "checkout", oops}'}
    assert rows[6].errors == [["", "Each item must be a JSON object."]]
    assert rows[6].data == {"json": '[{"external_id":"j4","touchpoint_key":"checkout","nps":9}]'}
    assert rows[7].errors == [["", "Each item must be a JSON object."]]


def test_a_mapping_naming_a_missing_column_fails_the_job(workspace, touchpoint):
    job = run(workspace, PLAIN_CSV, mapping={"nps": "Q_NPS"})
    assert job.status == "failed"
    assert job.error == "Column 'Q_NPS' (mapped to nps) is not in the file."
    assert job.finished_at is not None
    assert job.processed == 0
    assert not Feedback.objects.exists()
    assert not ImportChunk.objects.filter(job=job).exists()


def test_a_file_in_another_encoding_is_detected(workspace, touchpoint):
    content = HEADER + 'l1,checkout,2026-11-20T10:00:00Z,9,,,"Café malísimo, la atención"\n'
    job = run(workspace, content.encode("cp1252"))
    assert (job.status, job.accepted, job.encoding) == ("done", 1, "cp1252")
    assert "encoding" in job.detected
    assert stored("comment") == [("Café malísimo, la atención",)]


def test_a_file_cut_in_the_middle_of_a_character_rejects_its_last_row(workspace, touchpoint):
    content = (HEADER + "c0,checkout,2026-11-20T10:00:00Z,9,,,fine\n").encode()
    content += "c1,checkout,2026-11-20T10:00:00Z,9,,,10 €".encode()[:-2]
    job = run(workspace, content)
    assert (job.status, job.encoding, job.accepted, job.rejected) == ("done", "utf-8", 1, 1)
    assert job.rejected_rows.get().errors == [["", "This row holds bytes that are not utf-8 text."]]


def test_a_utf8_file_with_a_bad_byte_far_down_rejects_that_row(workspace, touchpoint, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    monkeypatch.setattr(imports, "CHUNK_BYTES", 100)
    good = "".join(f"g{i},checkout,2026-11-20T10:00:00Z,9,,,señal {i}\n" for i in range(6))
    content = (HEADER + good).encode() + "g9,checkout,2026-11-20T10:00:00Z,9,,,Café\n".encode(
        "latin-1"
    )
    job = run(workspace, content)
    assert (job.status, job.encoding, job.accepted, job.rejected) == ("done", "utf-8", 6, 1)
    row = job.rejected_rows.get()
    assert row.row_number == 8
    # The bad byte is kept as U+FFFD, since PostgreSQL stores text only.
    assert cell(job, row, "comment") == "Caf\ufffd"
    assert not ImportChunk.objects.filter(job=job).exists()


@pytest.mark.parametrize(("name", "file_format"), [("empty.csv", "csv"), ("empty.jsonl", "jsonl")])
def test_an_empty_file_fails_the_job(workspace, touchpoint, name, file_format):
    job = run(workspace, b"", name=name, format=file_format)
    assert (job.status, job.error, job.total) == ("failed", "The file is empty.", 0)


def test_a_utf8_file_with_a_byte_order_mark_is_imported(workspace, touchpoint):
    job = run(workspace, b"\xef\xbb\xbf" + PLAIN_CSV.encode())
    assert (job.status, job.accepted, job.rejected) == ("done", 3, 2)
    assert stored("external_id")[0] == ("a1",)


def test_crlf_line_endings_are_read(workspace, touchpoint):
    job = run(workspace, PLAIN_CSV.replace("\n", "\r\n"))
    assert (job.status, job.accepted, job.duplicates, job.rejected) == ("done", 3, 1, 2)
    assert stored("external_id", "comment")[0] == ("a1", "Great")
    assert rejected(job) == [(4, ["touchpoint_key"]), (5, ["occurred_at"])]


def test_quoted_fields_with_commas_and_newlines_are_read(workspace, touchpoint):
    comment = 'Slow, then "fine".\r\nThe second line, too.\nAnd a third.'
    quoted = '"' + comment.replace('"', '""') + '"'
    content = HEADER + (
        f"q1,checkout,2026-11-20T10:00:00Z,9,,,{quoted}\n"
        "q2,nowhere,2026-11-20T10:00:00Z,9,,,plain\n"
        f"q3,nowhere,2026-11-20T10:00:00Z,9,,,{quoted}\n"
        'q4,checkout,2026-11-20T11:00:00Z,7,,"Doe, Jane",ok\n'
    )
    job = run(workspace, content)
    assert (job.status, job.total, job.accepted, job.rejected) == ("done", 4, 2, 2)
    assert stored("external_id", "customer_ref", "comment") == [
        ("q1", "", comment),
        ("q4", "Doe, Jane", "ok"),
    ]
    # A record is numbered by the line it starts on.
    assert rejected(job) == [(5, ["touchpoint_key"]), (6, ["touchpoint_key"])]
    row = job.rejected_rows.get(row_number=6)
    assert cell(job, row, "comment") == comment


RESUMABLE_CSV = HEADER + (
    ",checkout,2026-11-20T10:00:00Z,9,,,no key one\n"
    ",nowhere,2026-11-20T10:00:00Z,9,,,\n"
    ",checkout,2026-11-20T11:00:00Z,8,,,no key two\n"
    ",checkout,yesterday,9,,,\n"
    "k1,checkout,2026-11-20T12:00:00Z,2,,,\n"
    "k1,checkout,2026-11-20T12:00:00Z,2,,,\n"
)


def test_a_run_that_stopped_resumes_where_it_stopped(
    workspace, touchpoint, other_workspace, foreign_journey, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    touchpoint_create(stage=foreign_journey.stages.first(), name="Checkout", key="checkout")
    clean = run(other_workspace, RESUMABLE_CSV)
    assert counters(clean) == {
        "status": "done",
        "total": 6,
        "processed": 6,
        "accepted": 3,
        "duplicates": 1,
        "rejected": 2,
        "error": "",
    }

    calls = []

    @contextmanager
    def killed_on_the_second_batch(batch):
        calls.append(1)
        with store_started(batch) as stored:
            yield stored
        if len(calls) == 2:
            raise WorkerKilled  # stored, and then the worker is killed before it commits

    store_started = imports.feedback_store_started
    monkeypatch.setattr(imports, "feedback_store_started", killed_on_the_second_batch)
    job = create(workspace, RESUMABLE_CSV)
    with pytest.raises(WorkerKilled):
        import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.accepted, job.rejected) == ("running", 2, 1, 1)
    assert Feedback.objects.filter(workspace=workspace).count() == 1

    import_run(job.pk)
    job.refresh_from_db()
    assert counters(job) == counters(clean)
    assert Feedback.objects.filter(workspace=workspace).count() == 3
    assert rejected(job) == rejected(clean) == [(3, ["touchpoint_key"]), (5, ["occurred_at"])]
    assert len(calls) == 4  # the second run started again at the second batch


class WorkerKilled(BaseException):
    """What a worker killed mid-batch looks like to the code: nothing it can catch."""


def test_any_error_in_the_worker_fails_the_job_with_its_reason(workspace, touchpoint, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    store_started = imports.feedback_store_started
    calls = []

    def breaks_on_the_second_batch(batch):
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("a bug")
        return store_started(batch)

    monkeypatch.setattr(imports, "feedback_store_started", breaks_on_the_second_batch)
    job = run(workspace, RESUMABLE_CSV)
    assert (job.status, job.processed, job.accepted, job.rejected) == ("failed", 2, 1, 1)
    assert job.error == (
        "The import stopped on an unexpected error (KeyError: 'a bug'). "
        "The rows counted before it are stored."
    )
    assert job.finished_at is not None
    assert not ImportChunk.objects.filter(job=job).exists()


def test_the_cycle_collector_is_back_on_after_a_run(workspace, touchpoint, monkeypatch):
    """It is paused while a job runs (see cycle_collection_paused), never for good."""

    def worker_killed(batch):
        assert not gc.isenabled()
        raise WorkerKilled

    assert gc.isenabled()
    run(workspace, PLAIN_CSV)
    assert gc.isenabled()

    monkeypatch.setattr(imports, "feedback_store_started", worker_killed)
    with pytest.raises(WorkerKilled):
        run(workspace, PLAIN_CSV.replace("a1,", "b1,"))
    assert gc.isenabled()


def test_running_a_finished_job_again_does_nothing(workspace, touchpoint):
    job = run(workspace, PLAIN_CSV)
    import_run(job.pk)
    again = ImportJob.objects.get(pk=job.pk)
    assert counters(again) == counters(job)
    assert again.finished_at == job.finished_at
    assert Feedback.objects.count() == 3
    assert ImportRejectedRow.objects.count() == 2

    failed = run(workspace, PLAIN_CSV, mapping={"nps": "Q_NPS"})
    import_run(failed.pk)
    assert ImportJob.objects.get(pk=failed.pk).finished_at == failed.finished_at


def test_a_worker_that_finds_another_ahead_stores_nothing(workspace, touchpoint, monkeypatch):
    """A redelivered task can run while the first is still at work: only one counts a batch."""
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    job = create(workspace, RESUMABLE_CSV)
    csv_item = imports.csv_item

    def overtaken(*args, **kwargs):
        # While this worker reads its first batch, the other one commits it.
        ImportJob.objects.filter(pk=job.pk).update(processed=2, accepted=1, rejected=1)
        return csv_item(*args, **kwargs)

    monkeypatch.setattr(imports, "csv_item", overtaken)
    import_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.accepted, job.rejected) == ("running", 2, 1, 1)
    assert not Feedback.objects.exists()
    assert not job.rejected_rows.exists()


def test_a_file_spanning_several_chunks_is_streamed(workspace, touchpoint, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(imports, "BATCH_ROWS", 7)
    first = "s0,checkout,2026-11-20T10:00:00Z,9,,,"
    # Put the three bytes of "€" on both sides of the first chunk boundary.
    pad = "x" * (998 - len((HEADER + first).encode()))
    comments = [pad + "€ and ñ"] + [f"Comentario número {i}: ¡olé! 😀" for i in range(1, 60)]
    rows = [
        f"s{i},checkout,2026-11-20T10:{i:02}:00Z,9,,,{comment}\n"
        for i, comment in enumerate(comments)
    ]
    content = (HEADER + "".join(rows)).encode()
    assert content[998:1001] == "€".encode()

    job = create(workspace, content)
    chunks = list(
        ImportChunk.objects.filter(job=job).order_by("seq").values_list("data", flat=True)
    )
    assert len(chunks) == -(-len(content) // 1000)
    assert b"".join(bytes(chunk) for chunk in chunks) == content
    import_run(job.pk)
    job.refresh_from_db()

    assert (job.status, job.processed, job.accepted, job.rejected) == ("done", 60, 60, 0)
    assert [comment for (comment,) in stored("comment")] == comments


def test_only_the_first_rejected_rows_are_kept(workspace, touchpoint, monkeypatch):
    monkeypatch.setattr(imports, "MAX_REJECTED_ROWS_KEPT", 3)
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    content = HEADER + "".join(f"r{i},nowhere,2026-11-20T10:00:00Z,9,,,\n" for i in range(7))
    content += "ok,checkout,2026-11-20T10:00:00Z,9,,,\n"
    job = run(workspace, content)
    assert (job.status, job.processed, job.accepted, job.rejected) == ("done", 8, 1, 7)
    assert [number for number, _ in rejected(job)] == [2, 3, 4]


def test_a_rejected_row_with_a_nul_character_is_kept(workspace, touchpoint):
    job = run(workspace, HEADER + "n1,checkout,2026-11-20T10:00:00Z,9,,,bad\x00byte\n")
    assert (job.status, job.rejected) == ("done", 1)
    assert rejected(job) == [(2, ["comment"])]
    assert cell(job, job.rejected_rows.get(), "comment") == "bad\ufffdbyte"


def test_it_imports_through_the_api(api, workspace, touchpoint):
    content = qualtrics_csv(QUALTRICS_RESPONSES)
    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("survey.csv", content.encode(), content_type="text/csv"),
            "mapping": '{"nps": "Q_NPS", "occurred_at": "RecordedDate", "comment": "Q_Comment", '
            '"customer_ref": "ResponseId", "external_id": "ResponseId"}',
            "defaults": '{"touchpoint_key": "checkout", "source": "qualtrics"}',
            "timezone": "Europe/Madrid",
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["format"], body["total"], body["processed"]) == (
        "queued",
        "csv",
        3,  # 6 lines, less the 3 of Qualtrics' header
        0,
    )
    assert body["workspace"] == "acme"
    assert body["mapping"] == QUALTRICS_OPTIONS["mapping"]
    assert body["defaults"] == QUALTRICS_OPTIONS["defaults"]

    import_run(body["id"])
    job = api.get(f"/api/v1/imports/{body['id']}/").json()
    assert {
        name: job[name] for name in ("status", "total", "processed", "accepted", "rejected")
    } == {
        "status": "done",
        "total": 3,
        "processed": 3,
        "accepted": 2,
        "rejected": 1,
    }
    assert job["finished_at"] is not None
    listed = api.get("/api/v1/imports/").json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert Feedback.objects.get(external_id="R_1AbCdEfGhIjKlMn").occurred_at == at(9, 22, 33)


def download_rejected(api, content: str, **options) -> list[list[str]]:
    response = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("survey.csv", content.encode(), content_type="text/csv"),
            **options,
        },
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    import_run(job_id)
    download = api.get(f"/api/v1/imports/{job_id}/rejected/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="rejected-{job_id}.csv"'
    return list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))


def test_it_downloads_the_rejected_rows_as_csv(api, workspace, touchpoint):
    header, *rows = download_rejected(api, PLAIN_CSV)
    assert header == [*HEADER.strip().split(","), "_row", "_errors"]
    assert rows == [
        [
            "a3",
            "nowhere",
            "2026-11-20T11:00:00+01:00",
            "9",
            "5",
            "",
            "",
            "4",
            "touchpoint_key: No such touchpoint key in this workspace.",
        ],
        [
            "a4",
            "checkout",
            "not-a-date",
            "9",
            "5",
            "",
            "",
            "5",
            "occurred_at: An ISO-8601 date-time with offset is required.",
        ],
    ]


def test_a_job_whose_task_failed_for_good_is_failed_not_running(workspace, touchpoint):
    from feedback.tasks import import_feedback_task

    job = create(workspace, PLAIN_CSV)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    import_feedback_task.on_failure(
        OSError("the database is gone"), "task-id", (str(job.pk),), {}, None
    )
    job.refresh_from_db()
    assert (job.status, job.error) == (
        "failed",
        "The import stopped and could not resume (OSError: the database is gone).",
    )
    assert not ImportChunk.objects.filter(job=job).exists()
    done = run(workspace, PLAIN_CSV.replace("a1,", "z1,"))
    import_feedback_task.on_failure(OSError("late"), "task-id", (str(done.pk),), {}, None)
    assert ImportJob.objects.get(pk=done.pk).status == "done"  # a finished job stays as it is
