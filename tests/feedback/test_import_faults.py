"""Imports that lose their task: the broker was down at upload, or the worker was killed in the
middle. The sweep gives them to a worker, which resumes after the rows already counted: every
row stored once, the job done."""

import signal
import time
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import tasks
from feedback.imports import import_create
from feedback.models import Feedback, ImportJob, ImportStatus
from tests.processes import celery_worker, gunicorn_server, reset_broker, stop, wait_for
from workspaces.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"
STALE = {"IMPORT_STALE_SECONDS": "2"}


@pytest.fixture(autouse=True)
def empty_broker(django_db_setup):
    reset_broker()


def csv_file(rows: int) -> bytes:
    when = datetime.now(UTC).isoformat()
    lines = ["response_id,touchpoint_key,occurred_at,nps"]
    lines += [f"r{i},checkout,{when},{i % 11}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def job_state(job_id) -> ImportJob:
    return ImportJob.objects.get(pk=job_id)


def test_an_import_uploaded_while_the_broker_is_down_is_picked_up_when_it_returns(
    workspace, touchpoint
):
    import json
    import urllib.request
    import uuid

    _, token = ApiToken.issue(workspace=workspace, name="survey tool", role="analyst")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n"
        ).encode()
        + csv_file(300)
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n{{"external_id": "response_id"}}\r\n--{boundary}--\r\n'.encode()
    )
    with gunicorn_server(REDIS_URL=CLOSED_PORT_REDIS) as base:
        request = urllib.request.Request(
            f"{base}/api/v1/imports/",
            data=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 202
            job_id = json.load(response)["id"]
    assert job_state(job_id).status == ImportStatus.QUEUED  # its publish was lost

    time.sleep(2.5)
    with celery_worker(**STALE):
        tasks.sweep_imports_task.delay()  # what beat sends every 20 s
        wait_for(lambda: job_state(job_id).status == ImportStatus.DONE, timeout=30, what="done")
    assert (job_state(job_id).accepted, Feedback.objects.count()) == (300, 300)


def test_an_import_whose_worker_is_killed_resumes_on_another(workspace, touchpoint):
    rows = 220_000
    upload = SimpleUploadedFile("big.csv", csv_file(rows))
    with celery_worker(**STALE) as worker:
        job = import_create(
            workspace=workspace,
            upload=upload,
            options={"mapping": {"external_id": "response_id"}},
            created_by="test",
        )
        wait_for(lambda: job_state(job.pk).processed > 0, timeout=60, what="a first batch")
        stop(worker, signal.SIGKILL)
    killed = job_state(job.pk)
    assert killed.status == ImportStatus.RUNNING and 0 < killed.processed < rows

    time.sleep(2.5)  # longer than IMPORT_STALE_SECONDS: the job has lost its worker
    with celery_worker(**STALE):
        tasks.sweep_imports_task.delay()
        wait_for(lambda: job_state(job.pk).status == ImportStatus.DONE, timeout=90, what="done")
    done = job_state(job.pk)
    assert (done.processed, done.accepted, done.duplicates) == (rows, rows, 0)
    assert Feedback.objects.count() == rows  # every row once, none twice
