"""Scale-out on one database: HTTP ingestion served by one web process, then by two; imports
run by one import worker, then by two at once (the same rows as two files). The ratios say
how much a second process adds against the same PostgreSQL, on this machine's cores.

    python -m bench.scale_out [--batches 20] [--batch-size 5000] [--rows 200000]
"""

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import orjson

from bench.common import (
    Report,
    bench_database,
    celery_worker,
    create_journey,
    create_workspace,
    django_setup,
    gunicorn,
    main,
)
from bench.imports import get_json, post_file, write_csv
from bench.ingest import empty_feedback, make_items, post_all


def ingest_rate(url: str, token: str, bodies: list[bytes], *, web: int, clients: int) -> float:
    empty_feedback()
    with gunicorn(url, token, workers=web) as port:
        seconds, totals = post_all(port, token, bodies, clients)
    if totals["errors"] or totals["rejected"]:
        raise RuntimeError(f"ingestion with {web} web processes: {totals}")
    return totals["accepted"] / seconds


def import_rate(url: str, token: str, files: list[Path], *, workers: int, timeout: float) -> float:
    """Rows per second from the uploads to the last job done, `workers` import workers."""
    empty_feedback()
    with ExitStack() as stack:
        for _ in range(workers):
            stack.enter_context(celery_worker(url, "imports"))
        port = stack.enter_context(gunicorn(url, token, workers=2))
        start = time.perf_counter()
        jobs = []
        for path in files:
            status, job = post_file(port, token, path)
            if status != 202:
                raise RuntimeError(f"POST /api/v1/imports/ answered {status}: {job}")
            jobs.append(job)
        deadline = time.monotonic() + timeout
        while any(job["status"] not in ("done", "failed") for job in jobs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the imports are not done after {timeout} s")
            time.sleep(0.2)
            jobs = [get_json(port, token, f"/api/v1/imports/{job['id']}/") for job in jobs]
        seconds = time.perf_counter() - start
    if any(job["status"] != "done" for job in jobs):
        raise RuntimeError(f"an import failed: {[job['error'] for job in jobs]}")
    return sum(job["accepted"] for job in jobs) / seconds


def body(args: argparse.Namespace, report: Report) -> None:
    with bench_database("scale_out") as url, tempfile.TemporaryDirectory() as tmp:
        django_setup(url)
        from workspaces.models import ApiToken

        workspace = create_workspace()
        journey = create_journey(workspace, name="Journey", touchpoints=300, key_prefix="s")
        keys = list(journey.touchpoints.values_list("key", flat=True))
        _, token = ApiToken.issue(workspace=workspace, name="scale", role="analyst")
        items = make_items(
            args.batches * args.batch_size, keys, customers=50_000, prefix="so", seed=3
        )
        bodies = [
            orjson.dumps(items[i : i + args.batch_size])
            for i in range(0, len(items), args.batch_size)
        ]
        halves = [Path(tmp) / "first.csv", Path(tmp) / "second.csv"]
        for index, path in enumerate(halves):
            write_csv(path, args.rows // 2, keys, seed=index, prefix=path.stem)
        whole = Path(tmp) / "whole.csv"
        write_csv(whole, args.rows, keys)

        one_web = ingest_rate(url, token, bodies, web=1, clients=4)
        two_web = ingest_rate(url, token, bodies, web=2, clients=4)
        one_worker = import_rate(url, token, [whole], workers=1, timeout=args.timeout)
        two_workers = import_rate(url, token, halves, workers=2, timeout=args.timeout)
        empty_feedback()

        report.add("scale-out: ingest, 1 web process", one_web, "items/s")
        report.add("scale-out: ingest, 2 web processes", two_web, "items/s")
        report.add("scale-out: ingest, 2 ÷ 1 web processes", two_web / one_web, "×")
        report.add("scale-out: import, 1 worker", one_worker, "rows/s")
        report.add("scale-out: import, 2 workers at once", two_workers, "rows/s")
        report.add("scale-out: import, 2 ÷ 1 workers", two_workers / one_worker, "×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=200_000, help="rows imported each time")
    parser.add_argument("--timeout", type=float, default=240)
    main("scale_out", parser, body)
