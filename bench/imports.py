"""A CSV of N feedback rows through `POST /api/v1/imports/` to status done, with one Celery
worker on the imports queue (as make run runs it): seconds from the POST to done, and the
worker's peak memory.

    python -m bench.imports [--rows 1000000] [--touchpoints 300]
"""

import argparse
import csv
import http.client
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from bench.common import (
    Report,
    bench_database,
    celery_worker,
    create_journeys,
    create_workspace,
    django_setup,
    gunicorn,
    main,
    peak_memory_mb,
    reduced,
    stopwatch,
)

ISSUE_ROWS = 1_000_000
TARGET_SECONDS = 20
TARGET_MB = 300
COMMENTS = ["Quick and easy, thank you!", "I waited 40 minutes and nobody answered. Awful.", ""]


def write_csv(path: Path, rows: int, keys: list[str], seed: int = 7, prefix: str = "imp") -> None:
    """The rows written as they are drawn, never all in memory."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["external_id", "touchpoint_key", "occurred_at", "nps", "csat", "comment"])
        for index in range(rows):
            good = rng.random() < 0.7
            occurred = now - timedelta(seconds=rng.randrange(80 * 86400))
            nps = rng.choice([9, 10, 10, 8]) if good else rng.randrange(8)
            csat = (rng.choice([4, 5, 5]) if good else rng.randrange(1, 4)) if index % 3 else ""
            comment = COMMENTS[0 if good else 1] if rng.random() < 0.2 else ""
            writer.writerow(
                [
                    f"{prefix}-{index:09d}",
                    rng.choice(keys),
                    occurred.isoformat(),
                    nps,
                    csat,
                    comment,
                ]
            )


def post_file(port: int, token: str, path: Path) -> tuple[int, dict]:
    """The file as multipart/form-data, streamed from disk with a Content-Length."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = path.stat().st_size

    def parts() -> Iterator[bytes]:
        yield head
        with path.open("rb") as data:
            while block := data.read(1024 * 1024):
                yield block
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        conn.request("POST", "/api/v1/imports/", body=parts(), headers=headers)
        response = conn.getresponse()
        return response.status, orjson.loads(response.read() or b"{}")
    finally:
        conn.close()


def get_json(port: int, token: str, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return orjson.loads(body)
    finally:
        conn.close()


def body(args: argparse.Namespace, report: Report) -> None:
    reduced(report, "CSV rows", args.rows, ISSUE_ROWS)
    with bench_database("imports") as url:
        django_setup(url)
        from feedback.models import Feedback
        from workspaces.models import ApiToken

        workspace = create_workspace()
        keys = create_journeys(workspace, touchpoints=args.touchpoints)
        _, token = ApiToken.issue(workspace=workspace, name="imports", role="analyst")

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "feedback.csv"
            with stopwatch() as elapsed:
                write_csv(path, args.rows, keys)
            size_mb = path.stat().st_size / 2**20
            print(
                f"  {args.rows:,} rows over {len(keys)} touchpoints, {size_mb:.0f} MB, "
                f"written in {elapsed():.1f} s",
                flush=True,
            )
            with celery_worker(url, "imports") as worker, gunicorn(url, token, workers=2) as port:
                start = time.perf_counter()
                status, job = post_file(port, token, path)
                uploaded = time.perf_counter() - start
                if status != 202:
                    raise RuntimeError(f"POST /api/v1/imports/ answered {status}: {job}")
                deadline = time.monotonic() + args.timeout
                while job["status"] not in ("done", "failed"):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the import is not done after {args.timeout} s: {job}")
                    if worker.poll() is not None:
                        raise RuntimeError(f"the worker exited with status {worker.returncode}")
                    time.sleep(0.1)
                    job = get_json(port, token, f"/api/v1/imports/{job['id']}/")
                seconds = time.perf_counter() - start
                memory = peak_memory_mb(worker.pid)
        if job["status"] != "done":
            raise RuntimeError(f"the import failed: {job['error']}")

        stored = Feedback.objects.count()
        print(
            f"  upload answered 202 after {uploaded:.1f} s; {stored:,} rows stored; "
            f"{args.rows / seconds:,.0f} rows/s",
            flush=True,
        )
        target = round(TARGET_SECONDS * args.rows / ISSUE_ROWS, 1)
        if args.rows < ISSUE_ROWS:
            report.note(
                f"import target scaled to {args.rows:,} rows: {target} s "
                f"(the issue's {TARGET_SECONDS} s for {ISSUE_ROWS:,})"
            )
        report.add(f"import: {args.rows:,}-row CSV, POST to done", seconds, "s", target, "lower")
        report.add("import: worker peak memory (VmHWM)", memory, "MB", TARGET_MB, "lower")
        report.add("import: rows accepted", job["accepted"], "rows", args.rows, "equal")
        if job["rejected"] or job["duplicates"]:
            report.note(f"import: {job['rejected']} rejected, {job['duplicates']} duplicates")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ISSUE_ROWS)
    parser.add_argument("--touchpoints", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=240, help="seconds to wait for done")
    main("imports", parser, body)
