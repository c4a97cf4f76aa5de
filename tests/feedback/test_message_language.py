"""The reasons a person reads, in their language: a feedback POST answers in the request's
language (Accept-Language), an import's rejected rows keep the language of the one who uploaded
the file (the worker runs long after the request, in no language of its own), and the import
page's preview speaks the request's. English stays the default."""

import csv
import io
import json

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from feedback.imports import import_run
from feedback.models import ImportJob

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
BAD_ITEM = {"touchpoint_key": "nowhere", "occurred_at": "yesterday", "nps": 11, "colour": "red"}
CSV = (
    "external_id,touchpoint_key,occurred_at,nps\n"
    "r1,checkout,2026-11-20T10:00:00+01:00,9\n"
    "r2,checkout,yesterday,11\n"
    "r3,nowhere,2026-11-20T10:00:00+01:00,9\n"
)
JSONL = '{"touchpoint_key": "checkout", "occurred_at": "2026-11-20T10:00:00+01:00"}\n'


def post_bad_item(api, **headers):
    response = api.post("/api/v1/feedback/", [BAD_ITEM], format="json", **headers)
    assert response.status_code == 202, response.content
    [rejected] = response.json()["rejected"]
    return rejected["errors"]


def test_a_bad_item_is_answered_in_spanish(api, touchpoint):
    assert post_bad_item(api, **SPANISH) == {
        "colour": ["Campo desconocido."],
        "touchpoint_key": ["No existe esa clave de punto de contacto en este espacio de trabajo."],
        "occurred_at": ["Se requiere una fecha y hora ISO-8601 con desfase."],
        "nps": ["Se requiere un número entero del 0 al 10."],
    }


def test_a_bad_item_is_answered_in_english_by_default(api, touchpoint):
    post_bad_item(api, **SPANISH)  # the thread was left in Spanish
    expected = {
        "colour": ["Unknown field."],
        "touchpoint_key": ["No such touchpoint key in this workspace."],
        "occurred_at": ["An ISO-8601 date-time with offset is required."],
        "nps": ["A whole number 0–10 is required."],
    }
    assert post_bad_item(api) == expected
    assert post_bad_item(api, **ENGLISH) == expected


def test_a_body_refused_whole_is_answered_in_spanish(api, touchpoint):
    response = api.post("/api/v1/feedback/", "[]", content_type="application/json", **SPANISH)
    assert response.status_code == 400
    assert response.json() == {"detail": "El array está vacío."}
    response = api.post("/api/v1/feedback/", "[1,", content_type="application/json", **SPANISH)
    assert response.json()["detail"].startswith("El cuerpo no es JSON válido: ")


def upload(api, content: str, name: str, **headers):
    data = {"file": SimpleUploadedFile(name, content.encode())}
    response = api.post("/api/v1/imports/", data, format="multipart", **headers)
    assert response.status_code == 202, response.content
    return response.json()


def run_in(language: str, job_id) -> None:
    """The worker's thread may be in any language: here the one the uploader did not speak."""
    translation.activate(language)
    import_run(job_id)
    translation.activate(settings.LANGUAGE_CODE)


def rejected_csv(api, job_id) -> list[tuple[str, str]]:
    response = api.get(f"/api/v1/imports/{job_id}/rejected/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return [(row["_row"], row["_errors"]) for row in rows]


def test_an_import_uploaded_in_spanish_keeps_spanish_reasons(api, touchpoint):
    job = upload(api, CSV, "survey.csv", **SPANISH)
    assert job["language"] == "es"
    run_in("en", job["id"])

    assert rejected_csv(api, job["id"]) == [
        (
            "3",
            "occurred_at: Se requiere una fecha y hora ISO-8601 con desfase.; "
            "nps: Se requiere un número entero del 0 al 10.",
        ),
        (
            "4",
            "touchpoint_key: No existe esa clave de punto de contacto en este espacio de trabajo.",
        ),
    ]
    body = api.get(f"/api/v1/imports/{job['id']}/").json()
    assert (body["status"], body["accepted"], body["rejected"]) == ("done", 1, 2)


def test_an_import_uploaded_in_english_keeps_english_reasons(api, touchpoint):
    job = upload(api, CSV, "survey.csv")
    assert job["language"] == "en"
    run_in("es", job["id"])

    assert rejected_csv(api, job["id"]) == [
        (
            "3",
            "occurred_at: An ISO-8601 date-time with offset is required.; "
            "nps: A whole number 0–10 is required.",
        ),
        ("4", "touchpoint_key: No such touchpoint key in this workspace."),
    ]


def test_the_rejected_records_of_a_json_import_in_spanish(api, touchpoint):
    content = JSONL + '{"touchpoint_key": "checkout", "occurred_at": "2026-11-20T10:00:00+01:00"\n'
    job = upload(api, content + "[1]\n", "events.jsonl", **SPANISH)
    run_in("en", job["id"])

    response = api.get(f"/api/v1/imports/{job['id']}/rejected/")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["_errors"] for line in lines] == [
        ["Indica al menos uno de nps, csat, ces, sentiment, outcome, comment."],
        ["Este registro no es JSON válido."],
        ["Cada elemento debe ser un objeto JSON."],
    ]


def test_a_job_failed_in_the_worker_says_why_in_spanish(api, touchpoint):
    job = upload(api, "\n\n\n", "empty.csv", **SPANISH)
    assert job["status"] == "queued"
    run_in("en", job["id"])

    body = api.get(f"/api/v1/imports/{job['id']}/").json()
    assert (body["status"], body["error"]) == ("failed", "El archivo no tiene fila de cabecera.")


def test_an_upload_refused_at_once_says_why_in_spanish(api, touchpoint):
    data = {"file": SimpleUploadedFile("survey.csv", CSV.encode()), "timezone": "Mars/Olympus"}
    response = api.post("/api/v1/imports/", data, format="multipart", **SPANISH)
    assert response.status_code == 400
    assert response.json() == {"timezone": ["Zona horaria desconocida: 'Mars/Olympus'."]}
    assert not ImportJob.objects.exists()


def test_the_import_page_stores_the_uploaders_language(analyst_client, touchpoint):
    data = {"file": SimpleUploadedFile("survey.csv", CSV.encode()), "touchpoint_key": ""}
    response = analyst_client.post("/imports/", data, **SPANISH)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.language == "es"
    run_in("en", job.pk)

    page = analyst_client.get(f"/imports/{job.pk}/", **ENGLISH).content.decode()
    assert "<code>nps</code> Se requiere un número entero del 0 al 10." in page


def test_the_preview_in_spanish(analyst_client, touchpoint):
    content = "external_id,occurred_at,nps\nr1,2026-11-20T10:00:00+01:00,eleven\n"
    data = {"file": SimpleUploadedFile("survey.csv", content.encode()), "suggest": "on"}
    data["touchpoint_key"] = "nowhere"
    response = analyst_client.post("/imports/preview/", data, HTTP_HX_REQUEST="true", **SPANISH)

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "<code>touchpoint_key (predeterminado)</code> "
        "No existe esa clave de punto de contacto en este espacio de trabajo." in page
    )
    assert "<code>nps</code> Se requiere un número entero del 0 al 10." in page
    assert "is required" not in page


def test_the_preview_in_english(analyst_client, touchpoint):
    content = "external_id,occurred_at,nps\nr1,2026-11-20T10:00:00+01:00,eleven\n"
    data = {"file": SimpleUploadedFile("survey.csv", content.encode()), "suggest": "on"}
    data["touchpoint_key"] = "nowhere"
    page = analyst_client.post("/imports/preview/", data, HTTP_HX_REQUEST="true").content
    assert "<code>nps</code> A whole number 0–10 is required." in page.decode()
