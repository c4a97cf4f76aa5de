"""An 80,000-row import while people keep loading pages: every request answers 200 and the
import reaches done. Real gunicorn (2 workers) and a real Celery worker on the test database and
Redis. About 10 s here."""

import csv
import io
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import make_member
from tests.processes import celery_worker, gunicorn_server, reset_broker
from workspaces.models import ApiToken, Role

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 80_000
COMMENTS = [
    "Paid in two clicks, great.",
    "The card was declined twice, very frustrating.",
    "Delivery options were confusing.",
]


def survey_csv(*, rows: int) -> bytes:
    choose = random.Random(7)
    now = datetime.now(UTC)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["touchpoint_key", "occurred_at", "nps", "csat", "comment"])
    for _ in range(rows):
        occurred = now - timedelta(minutes=choose.randrange(60 * 24 * 60))
        writer.writerow(
            [
                "checkout",
                occurred.isoformat(timespec="seconds"),
                choose.randint(0, 10),
                choose.randint(1, 5),
                choose.choice(COMMENTS) if choose.random() < 0.1 else "",  # one in ten comments
            ]
        )
    return out.getvalue().encode()


def multipart(*, name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def get(url: str, headers: dict) -> tuple[int, str]:
    """The status and body; a redirect (to the login page) counts as a failure."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status if response.url == url else f"redirected to {response.url}"
            return status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError as error:
        return str(error), ""


def test_pages_answer_while_80000_rows_are_imported(workspace, touchpoint):
    reset_broker()
    _, token = ApiToken.issue(workspace=workspace, name="survey tool", role=Role.ANALYST)
    browser = Client()
    browser.force_login(make_member("anna", workspace, Role.ANALYST))
    session = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    }
    bearer = {"Authorization": f"Bearer {token}"}
    body, content_type = multipart(name="survey.csv", content=survey_csv(rows=ROWS))

    with celery_worker(), gunicorn_server(workers=2) as base:
        upload = urllib.request.Request(
            f"{base}/api/v1/imports/", body, {**bearer, "Content-Type": content_type}
        )
        with urllib.request.urlopen(upload, timeout=30) as response:
            assert response.status == 202
            job_id = json.load(response)["id"]

        pages = [
            (f"{base}/", session),
            (f"{base}/imports/{job_id}/", session),
            (f"{base}/imports/{job_id}/", {**session, "HX-Request": "true"}),
            (f"{base}/api/v1/imports/{job_id}/", bearer),
        ]
        failures, requests, job, statuses = [], 0, {}, set()
        deadline = time.monotonic() + 50
        while job.get("status") not in ("done", "failed") and time.monotonic() < deadline:
            for url, headers in pages:
                status, text = get(url, headers)
                requests += 1
                if status != 200:
                    failures.append((url, headers.get("HX-Request"), status))
                elif "/api/" in url:
                    job = json.loads(text)
                    statuses.add(job["status"])

        assert failures == [], f"{len(failures)} of {requests} requests failed"
        assert job["status"] == "done", job
        assert (job["processed"], job["accepted"], job["rejected"]) == (ROWS, ROWS, 0)
        assert "running" in statuses  # the pages were loaded while the import ran

        status, page = get(f"{base}/imports/{job_id}/", session)
        assert status == 200
        assert 'class="pill status-done"' in page
        assert f"{ROWS} feedback records were stored" in page
        assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
