"""At-risk customers: p95 of GET /api/v1/journeys/{id}/at-risk/ over the app served by gunicorn,
with all the feedback rows in the journey and 50,000 customers; the worker's refresh after a
rescore that touched one touchpoint (a few new negative rows of existing customers, found again
incrementally); and for reference the full refresh that finds every customer again (the first
refresh, a changed setting, a new day: the repair path).

    python -m bench.at_risk [--rows 5000000] [--customers 50000] [--requests 40]
"""

import argparse
import statistics
from datetime import UTC, datetime

import orjson

from bench.common import (
    Http,
    Report,
    bench_database,
    create_journey,
    create_workspace,
    django_setup,
    generate_feedback,
    gunicorn,
    main,
    percentile,
    reduced,
    sample,
    stopwatch,
)


def body(args: argparse.Namespace, report: Report) -> None:
    reduced(report, "at-risk: feedback rows", args.rows, 5_000_000)
    with bench_database("at_risk") as url:
        django_setup(url)
        from workspaces.models import ApiToken

        workspace = create_workspace()
        # Every row in the measured journey: the worst case for its at-risk query.
        journey = create_journey(
            workspace, name="Online purchase", touchpoints=args.touchpoints, key_prefix="tp"
        )
        generate_feedback(
            url,
            workspace_id=workspace.pk,
            touchpoints=args.touchpoints,
            rows=args.rows,
            customers=args.customers,
            days=args.days,
        )
        from feedback.at_risk import at_risk_mark_stale, at_risk_refresh_stale

        at_risk_mark_stale([journey.pk])
        with stopwatch() as refresh:
            at_risk_refresh_stale()
        incremental = [
            one_touchpoint_refresh(workspace, args, round_=i) for i in range(args.rescores)
        ]
        _, token = ApiToken.issue(workspace=workspace, name="at-risk", role="viewer")
        path = f"/api/v1/journeys/{journey.pk}/at-risk/"

        with gunicorn(url, token) as port:
            client = Http(port, token)
            status, answer = client.get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")
            found = orjson.loads(answer)
            print(
                f"  {found['customer_count']:,} customers at risk; "
                f"{len(found['hotspots'])} hotspots",
                flush=True,
            )
            statuses = []

            def measure() -> float:
                status, seconds = client.timed_get(path)
                statuses.append(status)
                return seconds * 1000

            times = sample(measure, args.requests, args.seconds)
            client.close()
        errors = sum(status != 200 for status in statuses)
        if errors:
            report.note(f"at-risk: {errors} of {len(times)} requests failed")
        if len(times) < args.requests:
            report.note(f"at-risk: {len(times)} requests instead of {args.requests} (--seconds)")
        report.add(
            f"at-risk p95 ({args.rows:,} rows, {args.customers:,} customers)",
            percentile(times, 95),
            "ms",
            300,
            "lower",
        )
        report.add("at-risk median", statistics.median(times), "ms")
        report.add(
            f"at-risk refresh after a one-touchpoint rescore (max of {args.rescores})",
            max(incremental),
            "s",
            1,
            "lower",
        )
        report.add("reference: at-risk full refresh in the worker (repair path)", refresh(), "s")


def one_touchpoint_refresh(workspace, args: argparse.Namespace, *, round_: int) -> float:
    """Seconds of the worker's refresh after new negative feedback of `args.new_rows` existing
    customers reached one touchpoint, and its rescore marked the journey's report stale."""
    from feedback.at_risk import at_risk_refresh_stale
    from feedback.ingestion import feedback_ingest
    from feedback.scoring import rescore_dirty

    now = datetime.now(UTC).isoformat()
    items = [
        {
            "touchpoint_key": f"tp-{round_ % args.touchpoints:04d}",
            "occurred_at": now,
            "customer_ref": f"CUST-{(round_ * args.new_rows + i) % args.customers:06d}",
            "nps": 1,
        }
        for i in range(args.new_rows)
    ]
    result = feedback_ingest(workspace=workspace, items=items)
    if result.accepted != len(items):
        raise RuntimeError(f"ingest stored {result.accepted} of {len(items)}: {result.rejected}")
    rescore_dirty()
    with stopwatch() as refresh:
        if at_risk_refresh_stale() != 1:
            raise RuntimeError("the rescore left no stale at-risk report")
    print(f"  one-touchpoint refresh {round_ + 1}: {refresh() * 1000:.0f} ms", flush=True)
    return refresh()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="feedback rows")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--touchpoints", type=int, default=60)
    parser.add_argument("--days", type=int, default=90, help="feedback spread over this many days")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--rescores", type=int, default=5, help="one-touchpoint rescores whose refresh is timed"
    )
    parser.add_argument(
        "--new-rows", type=int, default=20, help="new negative rows before each such rescore"
    )
    parser.add_argument(
        "--seconds", type=float, default=45, help="stop requesting after this long (5 at least)"
    )
    main("at_risk", parser, body)
