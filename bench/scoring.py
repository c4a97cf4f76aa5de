"""Rescore: all health for 1,000 touchpoints (scores, stage and journey rollups, snapshots written)
from the daily rollups, as the debounced task does it (scoring.mark_dirty + scoring.rescore_dirty);
and for reference a GROUP BY over the raw feedback rows alone.

    python -m bench.scoring [--touchpoints 1000] [--rows 5000000] [--runs 5]
"""

import argparse
import statistics

from bench.common import (
    ROLLUP_SUMS,
    Report,
    bench_database,
    create_journeys,
    create_workspace,
    django_setup,
    generate_feedback,
    main,
    reduced,
    stopwatch,
)

RAW_GROUP_BY = f"""
SELECT touchpoint_id, {ROLLUP_SUMS} FROM feedback_feedback
WHERE occurred_at > now() - make_interval(days => %s) GROUP BY touchpoint_id
"""


def body(args: argparse.Namespace, report: Report) -> None:
    reduced(report, "rescore: feedback rows", args.rows, 5_000_000)
    with bench_database("scoring") as url:
        django_setup(url)
        from django.db import connection

        from feedback.scoring import mark_dirty, rescore_dirty
        from touchpoints.models import Touchpoint

        workspace = create_workspace()
        create_journeys(workspace, touchpoints=args.touchpoints, journeys=args.journeys)
        generate_feedback(
            url,
            workspace_id=workspace.pk,
            touchpoints=args.touchpoints,
            rows=args.rows,
            customers=50_000,
            days=args.days,
        )

        raw = []
        with connection.cursor() as cursor:
            for _ in range(args.runs):
                with stopwatch() as elapsed:
                    cursor.execute(RAW_GROUP_BY, [workspace.window_days])
                    cursor.fetchall()
                raw.append(elapsed())

        ids = list(Touchpoint.objects.values_list("id", flat=True))
        runs = []
        for _ in range(args.runs + 1):  # the first run warms up and writes today's snapshots
            with stopwatch() as elapsed:
                mark_dirty(ids)
                scored = rescore_dirty()
            runs.append(elapsed())
            if scored != len(ids):
                report.note(f"rescore scored {scored} of {len(ids)} touchpoints")
        scored = Touchpoint.objects.filter(health_score__isnull=False).count()
        print(f"  {scored} touchpoints have a score; runs: {fmt_runs(runs)}", flush=True)

        rescore = statistics.median(runs[1:])
        report.add(
            f"rescore {args.touchpoints:,} touchpoints (median of {args.runs})",
            rescore,
            "s",
            0.25,
            "lower",
        )
        report.add(f"reference: GROUP BY over {args.rows:,} raw rows", statistics.median(raw), "s")


def fmt_runs(runs: list[float]) -> str:
    return ", ".join(f"{seconds:.3f}" for seconds in runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--touchpoints", type=int, default=1000)
    parser.add_argument("--journeys", type=int, default=10)
    parser.add_argument("--rows", type=int, default=5_000_000, help="feedback rows")
    parser.add_argument("--days", type=int, default=90, help="feedback spread over this many days")
    parser.add_argument("--runs", type=int, default=5)
    main("scoring", parser, body)
