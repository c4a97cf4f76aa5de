"""Feedback in over HTTP, scored by a real Celery worker process on the real Redis broker."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback.models import ImportJob
from tests.processes import celery_worker, reset_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(transactional_db):
    """A fresh worker per test, stopped (after its running task) before the database is flushed."""
    reset_broker()
    with celery_worker() as process:
        yield process


def recent(hours: int) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def test_health_appears_within_seconds_of_feedback(worker, api, touchpoint):
    items = [
        {"touchpoint_key": "checkout", "occurred_at": recent(i), "nps": 10, "csat": 5}
        for i in range(6)
    ]
    response = api.post("/api/v1/feedback/", items, format="json")
    assert response.status_code == 202
    assert response.json()["accepted"] == 6

    def scored():
        health = api.get(f"/api/v1/touchpoints/{touchpoint.pk}/health/").json()
        return health if health["score"] is not None else None

    health = wait_for(scored, timeout=10, what="the touchpoint's health")
    # nps: 6 promoters of 6 → (100 + 100) / 2 = 100; csat: 6 of 6 top-2 → 100.
    assert health["score"] == 100.0
    assert health["band"] == "healthy"
    assert health["n"] == 6
    assert health["history"][-1]["score"] == 100.0
    journey = api.get(f"/api/v1/journeys/{touchpoint.journey_id}/").json()
    assert journey["health"]["score"] == 100.0


def test_the_worker_finds_a_customer_at_risk_after_a_rescore(worker, api, journey, touchpoint):
    def customers() -> list:
        return api.get(f"/api/v1/journeys/{journey.pk}/at-risk/").json()["customers"]

    assert customers() == []  # found on the spot: nobody yet
    bad = [
        {"touchpoint_key": "checkout", "occurred_at": recent(i), "nps": 2, "customer_ref": "ana"}
        for i in range(3)
    ]
    assert api.post("/api/v1/feedback/", bad, format="json").status_code == 202

    found = wait_for(customers, timeout=10, what="the customer at risk")
    assert [(c["customer_ref"], c["negative_count"]) for c in found] == [("ana", 3)]


def test_an_english_comment_gets_sentiment_from_the_worker(worker, api, touchpoint):
    response = api.post(
        "/api/v1/feedback/",
        {
            "touchpoint_key": "checkout",
            "occurred_at": recent(1),
            "comment": "Terrible checkout, the payment failed twice and I gave up.",
        },
        format="json",
    )
    assert response.status_code == 202

    def sentiment():
        results = api.get(f"/api/v1/feedback/?touchpoint={touchpoint.pk}").json()["results"]
        return results[0]["sentiment"]

    assert wait_for(sentiment, timeout=10, what="the comment's sentiment") < -0.3


CSV = (
    "external_id,touchpoint_key,occurred_at,nps,csat,comment\n"
    "a1,checkout,{t},9,5,Great\n"
    "a2,checkout,{t},3,1,\n"
    "a3,nowhere,{t},9,5,\n"
    "a4,checkout,not-a-date,9,5,\n"
    "a1,checkout,{t},9,5,Great\n"
)


def test_a_csv_import_reaches_done_with_its_counters(worker, api, touchpoint):
    upload = CSV.format(t=recent(2)).encode()
    response = api.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("survey.csv", upload, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]

    def done():
        job = api.get(f"/api/v1/imports/{job_id}/").json()
        return job if job["status"] in ("done", "failed") else None

    job = wait_for(done, timeout=15, what="the import")
    assert job["status"] == "done", job["error"]
    assert (job["total"], job["processed"], job["accepted"]) == (5, 5, 2)
    assert (job["duplicates"], job["rejected"]) == (1, 2)
    rejected = ImportJob.objects.get(pk=job_id).rejected_rows.all()
    assert [(row.row_number, [label for label, _ in row.errors]) for row in rejected] == [
        (4, ["touchpoint_key"]),
        (5, ["occurred_at"]),
    ]
    download = api.get(f"/api/v1/imports/{job_id}/rejected/")
    assert download.status_code == 200
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert lines[0] == "external_id,touchpoint_key,occurred_at,nps,csat,comment,_row,_errors"
    assert lines[1].endswith(",4,touchpoint_key: No such touchpoint key in this workspace.")
