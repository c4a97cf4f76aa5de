"""Files shaped like the real exports of survey, help-desk and chat tools, uploaded through the
API and imported by a real Celery worker on the real Redis: what is stored, at which UTC time,
and every row counted. A worker serves several files, each told apart by its source; it stops
before the database is flushed, so that no task of its own runs into the flush."""

import codecs
import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback.models import Feedback
from tests.feedback import export_files as files
from tests.feedback.export_files import QUALTRICS_ZONE, csv_text
from tests.processes import celery_worker, reset_broker, wait_for
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(transactional_db):
    reset_broker()
    with celery_worker() as process:
        yield process


@pytest.fixture
def support(stages):
    return touchpoint_create(stage=stages[4], name="Support", key="support", channel="phone")


def imported(api, name: str, content: bytes, **options) -> dict:
    """The job once the worker is done with it."""
    data = {"file": SimpleUploadedFile(name, content)}
    data.update(
        {
            key: json.dumps(value) if isinstance(value, dict) else value
            for key, value in options.items()
        }
    )
    response = api.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]

    def finished():
        job = api.get(f"/api/v1/imports/{job_id}/").json()
        return job if job["status"] in ("done", "failed") else None

    return wait_for(finished, timeout=20, what=f"the import of {name}")


def counts(job: dict) -> tuple:
    return tuple(job[name] for name in ("status", "total", "accepted", "duplicates", "rejected"))


def stored(source: str, *names: str) -> list[tuple]:
    rows = Feedback.objects.filter(source=source).order_by("occurred_at", "id")
    return list(rows.values_list(*names))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rejected(api, job: dict) -> bytes:
    response = api.get(f"/api/v1/imports/{job['id']}/rejected/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def qualtrics_export(api):
    """tests.feedback.export_files.qualtrics: the dates in the zone of their ImportId."""
    zone = QUALTRICS_ZONE
    content = files.qualtrics()
    mapping = {
        "external_id": "ResponseId",
        "occurred_at": "RecordedDate",
        "nps": "Q1",
        "comment": "Q2",
        "customer_ref": "ExternalReference",
    }

    job = imported(
        api,
        "NPS_Survey_November_2026.csv",
        content,
        mapping=mapping,
        defaults={"touchpoint_key": "checkout", "source": "qualtrics"},
    )

    assert counts(job) == ("done", 3, 2, 0, 1)
    assert job["detected"] == {
        "encoding": "utf-8-sig",
        "format": "csv",
        "delimiter": ",",
        "header_rows": 3,
        "timezone": zone,
    }
    assert stored(
        "qualtrics", "external_id", "occurred_at", "nps", "customer_ref", "comment", "source"
    ) == [
        # June: Pacific daylight time, UTC−7 → 10:00 + 7 h.
        (
            "R_3bQwE02",
            utc(2026, 6, 15, 17, 0),
            3,
            "CUST-1002",
            "Paid twice, no refund yet",
            "qualtrics",
        ),
        # November: Pacific standard time, UTC−8 → 14:05:33 + 8 h = 22:05:33.
        (
            "R_2aXyZ01",
            utc(2026, 11, 19, 22, 5, 33),
            10,
            "CUST-1001",
            "Fast, and the driver was kind",
            "qualtrics",
        ),
    ]
    # Its line in the file: three header rows, then the third response.
    lines = rejected(api, job).decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",_row,_errors")
    assert lines[1].startswith("Start Date,")
    assert lines[2].startswith('"{""ImportId"":""startDate""')
    assert lines[3] == (
        "2026-11-20 08:00:00,2026-11-20 08:00:09,0,12,0,2026-11-21 08:00:09,R_1cRtY03,,"
        'anonymous,,,,6,"Give at least one of nps, csat, ces, sentiment, outcome, comment."'
    )


def legacy_qualtrics_export(api):
    """Two header rows (V1… ids, then names and question texts), no ImportId row, so no zone:
    the upload gives it."""
    rows = [
        ["V1", "V2", "V3", "V5", "V6", "V7", "V8", "V9", "V10", "Q1", "Q2"],
        ["ResponseID", "ResponseSet", "Name", "EmailAddress", "IPAddress", "Status"]
        + ["StartDate", "EndDate", "Finished", "How likely are you to recommend us?", "Comment"],
        ["R_legacy01", "Default Response Set", "Anonymous", "ana@example.com", "81.2.69.142"]
        + ["0", "2019-03-04 09:10:00", "2019-03-04 09:15:00", "1", "8", "Good, not great"],
        ["R_legacy02", "Default Response Set", "Anonymous", "bo@example.com", "81.2.69.143"]
        + ["0", "2019-07-01 12:00:00", "2019-07-01 12:30:00", "1", "ten", ""],
    ]
    job = imported(
        api,
        "legacy_export.csv",
        csv_text(rows).encode(),
        mapping={
            "external_id": "V1",
            "occurred_at": "V9",
            "nps": "Q1",
            "comment": "Q2",
            "customer_ref": "V5",
        },
        defaults={"touchpoint_key": "checkout", "source": "qualtrics-legacy"},
        timezone="Europe/London",
    )

    assert counts(job) == ("done", 2, 1, 0, 1)
    assert (job["header_rows"], job["detected"]["header_rows"]) == (2, 2)
    # 4 March is GMT, UTC+0.
    assert stored(
        "qualtrics-legacy", "external_id", "occurred_at", "nps", "customer_ref", "comment"
    ) == [("R_legacy01", utc(2019, 3, 4, 9, 15), 8, "ana@example.com", "Good, not great")]
    body = rejected(api, job).decode()
    assert ",4,Q1 (nps): A whole number 0–10 is required." in body


def zendesk_csat_export(api):
    """Zendesk's satisfaction ratings: its own column names, Good/Bad ratings turned into CSAT
    by a value map, a ticket status into an outcome, a comment over two lines."""
    job = imported(
        api,
        "satisfaction_ratings.csv",
        files.zendesk(),
        mapping={
            "external_id": "Ticket ID",
            "customer_ref": "Requester email",
            "csat": "Satisfaction Rating",
            "comment": "Satisfaction Comment",
            "outcome": "Status",
            "occurred_at": "Solved at",
        },
        defaults={"touchpoint_key": "support", "channel": "email", "source": "zendesk"},
        value_map={
            "csat": {"good": 5, "bad": 1, "offered": None},
            "outcome": {"solved": "resolved", "open": "unresolved"},
        },
    )

    assert counts(job) == ("done", 5, 4, 0, 1)
    assert stored(
        "zendesk", "external_id", "occurred_at", "csat", "outcome", "comment", "channel"
    ) == [
        (
            "48121",
            utc(2026, 11, 18, 9, 12, 44),
            5,
            "resolved",
            'Sam sorted it in minutes, "thank you"',
            "email",
        ),
        # 16:40 at UTC+1 is 15:40 UTC.
        (
            "48133",
            utc(2026, 11, 18, 15, 40),
            1,
            "unresolved",
            "Third time I write.\nStill waiting.",
            "email",
        ),
        ("48140", utc(2026, 11, 19, 7, 0), 5, "resolved", "", "email"),
        # No rating given: the outcome is the signal.
        ("48152", utc(2026, 11, 19, 8, 30), None, "resolved", "", "email"),
    ]
    assert set(stored("zendesk", "touchpoint__key")) == {("support",)}
    # "Pending" is in no value map and no outcome: rejected, naming Zendesk's column.
    body = rejected(api, job).decode()
    assert "Status (outcome): 'Pending' is not one of: abandoned, resolved, unresolved." in body
    assert "48155" in body


def surveymonkey_export(api):
    """Two header rows, the answer labels under their question (a multiple choice spans
    three columns), US dates with AM/PM in the account's zone, choices as words."""
    job = imported(
        api,
        "Acme_Checkout_Survey.csv",
        files.surveymonkey(),
        mapping={
            "external_id": "Respondent ID",
            "occurred_at": "End Date",
            "customer_ref": "Email Address",
            "nps": "How likely is it that you would recommend Acme to a friend or colleague? - Response",
            "csat": "How satisfied were you with checkout? - Response",
            "comment": "What could we do better? - Open-Ended Response",
        },
        value_map={
            "csat": {
                "very satisfied": 5,
                "satisfied": 4,
                "neutral": 3,
                "dissatisfied": 2,
                "very dissatisfied": 1,
            }
        },
        defaults={"touchpoint_key": "checkout", "source": "surveymonkey"},
        date_format="%m/%d/%Y %I:%M:%S %p",
        timezone="America/New_York",
    )

    assert counts(job) == ("done", 3, 2, 0, 1)
    assert job["header_rows"] == 2
    assert job["columns"][8:11] == [
        "Which channels did you use? - Website",
        "Which channels did you use? - Phone",
        "Which channels did you use? - Other (please specify)",
    ]
    # Eastern standard time, UTC−5: 09:07:40 → 14:07:40; 12:03:15 AM on the 19th → 05:03:15.
    assert stored("surveymonkey", "external_id", "occurred_at", "nps", "csat", "comment") == [
        ("114239876512", utc(2026, 11, 18, 14, 7, 40), 9, 5, "Nothing"),
        ("114239876990", utc(2026, 11, 19, 5, 3, 15), 2, 1, "The coupon did not apply"),
    ]
    body = rejected(api, job).decode()
    assert (
        ",5,End Date (occurred_at): A date-time like 11/20/2026 04:05:09 PM "
        "(%m/%d/%Y %I:%M:%S %p) is required." in body
    )


def european_excel_csv(api):
    """What Excel saves in Spain: semicolons, decimal commas, Windows-1252 with accents, day
    first dates in local time."""
    content = files.european_excel()
    job = imported(
        api,
        "valoraciones.csv",
        content,
        mapping={
            "occurred_at": "Fecha",
            "channel": "Canal",
            "touchpoint_key": "Punto de contacto",
            "customer_ref": "Cliente",
            "csat": "Valoración",
            "sentiment": "Sentimiento",
            "comment": "Comentario",
        },
        defaults={"source": "excel"},
        value_map={"channel": {"Atención al cliente": "phone", "tienda online": "web"}},
        date_format="%d/%m/%Y %H:%M",
        timezone="Europe/Madrid",
        decimal=",",
    )

    assert counts(job) == ("done", 4, 3, 0, 1)
    assert (job["encoding"], job["delimiter"]) == ("cp1252", ";")
    assert set(job["detected"]) == {"encoding", "format", "delimiter", "header_rows"}
    # Madrid in November is UTC+1.
    assert stored(
        "excel", "occurred_at", "channel", "touchpoint__key", "csat", "sentiment", "comment"
    ) == [
        (utc(2026, 11, 20, 9, 30), "phone", "support", 4, 0.75, "Muy amable, gracias"),
        (utc(2026, 11, 20, 17, 5), "web", "checkout", 2, -0.5, "El pago falló dos veces"),
        (utc(2026, 11, 21, 11, 0), "web", "checkout", None, None, "Envío rápido; todo bien"),
    ]
    # The download keeps the semicolons and says it is UTF-8 with a BOM, for Excel.
    body = rejected(api, job).decode("utf-8")
    assert body.startswith("\ufeffFecha;Canal;Punto de contacto;Cliente;Valoración;")
    assert (
        "21/11/2026 09:00;Atención al cliente;support;C-003;5;1,5;¡Perfecto!;4;"
        "Sentimiento (sentiment): A number from -1 to 1 is required." in body
    )


def utf16_file_with_its_bom(api):
    """Excel's "Unicode text": UTF-16 little-endian with a BOM, tab-separated, named .txt."""
    rows = [
        ["Response ID", "Submitted", "touchpoint_key", "Score", "Comment"],
        ["u-1", "2026-11-20T10:00:00+09:00", "checkout", "9", "とても良いサービスでした 👍"],
        ["u-2", "2026-11-20T11:30:00+09:00", "checkout", "4", "Zu langsam, leider"],
    ]
    content = csv_text(rows, delimiter="\t").encode("utf-16")  # Python writes the BOM first
    assert content[:2] == codecs.BOM_UTF16_LE
    job = imported(
        api,
        "export.txt",
        content,
        mapping={
            "external_id": "Response ID",
            "occurred_at": "Submitted",
            "nps": "Score",
            "comment": "Comment",
        },
        defaults={"source": "excel-unicode"},
    )

    assert counts(job) == ("done", 2, 2, 0, 0)
    assert (job["format"], job["encoding"], job["delimiter"]) == ("tsv", "utf-16", "\t")
    # Tokyo is UTC+9.
    assert stored("excel-unicode", "external_id", "occurred_at", "nps", "comment") == [
        ("u-1", utc(2026, 11, 20, 1, 0), 9, "とても良いサービスでした 👍"),
        ("u-2", utc(2026, 11, 20, 2, 30), 4, "Zu langsam, leider"),
    ]


def chat_platform_json_array(api):
    """Conversations exported as one pretty-printed JSON array: the rating and the customer
    nested, times in milliseconds since 1970."""
    conversations = [
        {
            "id": "conv_01HF8Z",
            "created_at": 1763634933000,
            "channel": "chat",
            "customer": {"id": "cus_8812", "email": "ana@example.com"},
            "rating": {"score": 4, "remark": "Quick answer"},
            "tags": ["billing"],
        },
        {
            "id": "conv_01HF9A",
            "created_at": 1763712345678,
            "channel": "chat",
            "customer": {"id": "cus_9001", "email": None},
            "rating": {"score": 1, "remark": "Bot loops forever"},
            "tags": [],
        },
        {
            "id": "conv_01HF9B",
            "created_at": 1763640000000,
            "channel": "chat",
            "customer": {"id": "cus_9002"},
            "rating": None,
            "tags": ["spam"],
        },
    ]
    content = json.dumps(conversations, indent=2, ensure_ascii=False).encode()
    job = imported(
        api,
        "conversations.json",
        content,
        mapping={
            "external_id": "id",
            "occurred_at": "created_at",
            "csat": "rating.score",
            "comment": "rating.remark",
            "customer_ref": "customer.id",
            "channel": "channel",
        },
        defaults={"touchpoint_key": "checkout", "source": "chat"},
        date_format="epoch_ms",
    )

    assert counts(job) == ("done", 3, 2, 0, 1)
    assert job["format"] == "json"
    # 2025-11-20T00:00Z is 1,763,596,800 s (1,735,689,600 for 2025-01-01 + 323 days × 86,400);
    # + 10:35:33 (38,133 s) = 1,763,634,933 s. The second: 2025-11-21 + 08:05:45.678.
    assert stored(
        "chat", "external_id", "occurred_at", "csat", "comment", "customer_ref", "channel"
    ) == [
        ("conv_01HF8Z", utc(2025, 11, 20, 10, 35, 33), 4, "Quick answer", "cus_8812", "chat"),
        (
            "conv_01HF9A",
            utc(2025, 11, 21, 8, 5, 45, 678000),
            1,
            "Bot loops forever",
            "cus_9001",
            "chat",
        ),
    ]
    response = api.get(f"/api/v1/imports/{job['id']}/rejected/")
    assert response["Content-Type"] == "application/json"
    body = json.loads(b"".join(response.streaming_content))
    # _row is the line where the third element starts in the pretty-printed file.
    starts = [n for n, line in enumerate(content.decode().splitlines(), 1) if line == "  {"]
    assert len(starts) == 3
    assert body == [
        {
            **conversations[2],
            "_row": starts[2],
            "_errors": ["Give at least one of nps, csat, ces, sentiment, outcome, comment."],
        }
    ]


def webhook_json_lines(api):
    """A webhook log: one event a line, the answer nested, a line cut short by a crash."""
    events = [
        {"id": "evt_1", "type": "feedback.submitted", "ts": "2026-11-20T08:15:00+01:00"}
        | {"data": {"touchpoint": "checkout", "score": 9, "text": "Smooth"}},
        {"id": "evt_2", "type": "feedback.submitted", "ts": "2026-11-20T09:00:00Z"}
        | {"data": {"touchpoint": "checkout", "score": 12, "text": ""}},
        {"id": "evt_1", "type": "feedback.submitted", "ts": "2026-11-20T08:15:00+01:00"}
        | {"data": {"touchpoint": "checkout", "score": 9, "text": "Smooth"}},
    ]
    lines = [json.dumps(event) for event in events]
    lines.insert(2, '{"id": "evt_3", "type": "feedback.submi')
    content = ("\n".join(lines) + "\n").encode()
    job = imported(
        api,
        "webhooks.jsonl",
        content,
        mapping={
            "external_id": "id",
            "occurred_at": "ts",
            "touchpoint_key": "data.touchpoint",
            "nps": "data.score",
            "comment": "data.text",
        },
        defaults={"source": "webhook"},
    )

    assert counts(job) == ("done", 4, 1, 1, 2)
    assert stored("webhook", "external_id", "occurred_at", "nps", "comment") == [
        ("evt_1", utc(2026, 11, 20, 7, 15), 9, "Smooth")
    ]
    response = api.get(f"/api/v1/imports/{job['id']}/rejected/")
    assert response["Content-Type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert rows == [
        {**events[1], "_row": 2, "_errors": ["data.score (nps): A whole number 0–10 is required."]},
        {
            "_text": '{"id": "evt_3", "type": "feedback.submi',
            "_row": 3,
            "_errors": ["This record is not valid JSON."],
        },
    ]


def test_survey_exports(worker, api, touchpoint):
    qualtrics_export(api)
    legacy_qualtrics_export(api)
    surveymonkey_export(api)


def test_help_desk_and_spreadsheet_files(worker, api, touchpoint, support):
    zendesk_csat_export(api)
    european_excel_csv(api)
    utf16_file_with_its_bom(api)


def test_json_exports(worker, api, touchpoint):
    chat_platform_json_array(api)
    webhook_json_lines(api)
