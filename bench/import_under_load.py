"""An import of a 1,000,000-row CSV while 1,000 items/s of API ingestion (20% with comments,
so sentiment scoring runs too) go on: time from POST to done, and the API's freshness
meanwhile. gunicorn with 2 workers, and a Celery worker per queue as make run and the compose
file have them (scoring, imports, sentiment), so the import waits behind nothing.

    python -m bench.import_under_load [--rows 1000000] [--touchpoints 300]
"""

import argparse
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench.common import (
    Report,
    bench_database,
    celery_worker,
    create_journey,
    create_journeys,
    create_workspace,
    django_setup,
    gunicorn,
    main,
    percentile,
    reduced,
)
from bench.freshness import Load, add_arguments
from bench.imports import ISSUE_ROWS, get_json, post_file, write_csv

TARGET_SECONDS = 25
TARGET_FRESHNESS = 2.0
QUEUES = ["scoring", "imports", "sentiment"]


def body(args: argparse.Namespace, report: Report) -> None:
    reduced(report, "CSV rows", args.rows, ISSUE_ROWS)
    with bench_database("import_under_load") as url, tempfile.TemporaryDirectory() as tmp:
        django_setup(url)
        from workspaces.models import ApiToken

        workspace = create_workspace()
        keys = create_journeys(workspace, touchpoints=args.import_touchpoints)
        live = create_journey(workspace, name="Live", touchpoints=30, key_prefix="f")
        _, token = ApiToken.issue(workspace=workspace, name="under load", role="analyst")
        load = Load(live, token, args)
        path = Path(tmp) / "feedback.csv"
        write_csv(path, args.rows, keys)

        with ExitStack() as stack:
            for queue in QUEUES:
                stack.enter_context(celery_worker(url, queue))
            port = stack.enter_context(gunicorn(url, token, workers=2))
            measured = []  # the load's result, once it is over
            loader = threading.Thread(target=lambda: measured.append(load.run(port)))
            loader.start()
            time.sleep(min(3, args.seconds / 4))  # the load settles first
            start = time.perf_counter()
            status, job = post_file(port, token, path)
            if status != 202:
                raise RuntimeError(f"POST /api/v1/imports/ answered {status}: {job}")
            deadline = time.monotonic() + args.timeout
            while job["status"] not in ("done", "failed"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the import is not done after {args.timeout} s: {job}")
                time.sleep(0.2)
                job = get_json(port, token, f"/api/v1/imports/{job['id']}/")
            seconds = time.perf_counter() - start
            loader.join()
        if job["status"] != "done":
            raise RuntimeError(f"the import failed: {job['error']}")
        if not measured:
            raise RuntimeError("the API load failed (its error is above)")
        lags, missing, rate = measured[0]
        target = round(TARGET_SECONDS * args.rows / ISSUE_ROWS, 1)
        report.add(
            f"import under load: {args.rows:,} rows, POST to done", seconds, "s", target, "lower"
        )
        report.add(
            "import under load: API freshness p95",
            percentile(lags, 95),
            "s",
            TARGET_FRESHNESS,
            "lower",
        )
        report.add("import under load: API rate sustained", rate, "items/s")
        if missing:
            report.note(f"import under load: {missing} API batches never reflected")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ISSUE_ROWS)
    parser.add_argument("--import-touchpoints", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=240, help="seconds to wait for done")
    add_arguments(parser, seconds=40)
    main("import_under_load", parser, body)
