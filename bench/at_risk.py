"""At-risk customers: p95 of GET /api/v1/journeys/{id}/at-risk/ over the app served by gunicorn,
with all the feedback rows in the journey and 50,000 customers; and for reference the time the
worker takes to find them again (feedback.at_risk.at_risk_refresh_stale, run after a rescore).

    python -m bench.at_risk [--rows 5000000] [--customers 50000] [--requests 40]
"""

import argparse
import statistics

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
        report.add("reference: at-risk refresh in the worker", refresh(), "s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="feedback rows")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--touchpoints", type=int, default=60)
    parser.add_argument("--days", type=int, default=90, help="feedback spread over this many days")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--seconds", type=float, default=45, help="stop requesting after this long (5 at least)"
    )
    main("at_risk", parser, body)
