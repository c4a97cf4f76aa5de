"""Ingestion: POST /api/v1/feedback/ in batches of 5,000 realistic items over HTTP, against the
app served by gunicorn (2 workers); the idempotent replay of the same batches; and, in the same
run, two references: a raw psycopg COPY into a staging table + INSERT … ON CONFLICT DO NOTHING of
the same rows (the database's own limit), and a naive DRF ModelSerializer create path (one
.save() per item, in-process).

    python -m bench.ingest [--batches 30] [--batch-size 5000] [--clients 4] [--naive-items 500]
"""

import argparse
import random
import threading
from datetime import UTC, datetime, timedelta, timezone

import orjson
import psycopg

from bench.common import (
    CHANNELS,
    SERVICE_CHANNELS,
    Http,
    Report,
    bench_database,
    create_journeys,
    create_workspace,
    django_setup,
    gunicorn,
    in_parallel,
    main,
    stopwatch,
)

GOOD_COMMENTS = [
    "Quick and easy, thank you!",
    "The agent solved it in two minutes. Great service.",
    "Muy buen servicio, todo perfecto.",
]
BAD_COMMENTS = [
    "Terrible experience, the payment failed twice and nobody called me back.",
    "I waited 40 minutes on the phone. Awful.",
    "El pedido llegó tarde y nadie me respondió.",
]
OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]


def make_items(count: int, keys: list[str], *, customers: int, prefix: str, seed: int) -> list:
    """Feedback as survey tools and contact centres send it: ids, keys, offsets, signal mixes."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    quality = {key: rng.uniform(0.4, 0.95) for key in keys}
    channel = {key: CHANNELS[index % len(CHANNELS)] for index, key in enumerate(keys)}
    items = []
    for index in range(count):
        key = rng.choice(keys)
        good = rng.random() < quality[key]
        occurred = now - timedelta(seconds=rng.randrange(90 * 86400))
        item = {
            "external_id": f"{prefix}-{index:09d}",
            "touchpoint_key": key,
            "occurred_at": occurred.astimezone(rng.choice(OFFSETS)).isoformat(timespec="seconds"),
            "customer_ref": f"CUST-{rng.randrange(customers):06d}",
            "channel": channel[key],
            "source": rng.choice(["survey", "survey", "chat", "reviews"]),
        }
        if rng.random() < 0.8:
            item["nps"] = rng.choice([9, 10, 10, 8]) if good else rng.choice([0, 2, 4, 5, 6, 7])
        if rng.random() < 0.6 or "nps" not in item:
            item["csat"] = rng.choice([4, 5, 5]) if good else rng.choice([1, 2, 3])
        if rng.random() < 0.4:
            item["ces"] = rng.choice([5, 6, 7]) if good else rng.choice([1, 2, 3, 4])
        if channel[key] in SERVICE_CHANNELS:
            item["outcome"] = "resolved" if good else rng.choice(["unresolved", "abandoned"])
        if rng.random() < 0.25:
            item["comment"] = rng.choice(GOOD_COMMENTS if good else BAD_COMMENTS)
            if rng.random() < 0.5:  # some tools send their own sentiment score
                item["sentiment"] = round(rng.uniform(0.2, 1) if good else rng.uniform(-1, -0.2), 3)
        if rng.random() < 0.5:
            item["metadata"] = {
                "survey_id": f"SV-{rng.randrange(100):03d}",
                "locale": rng.choice(["en-GB", "es-ES", "en-US"]),
                "agent": f"A{rng.randrange(500):04d}",
            }
        items.append(item)
    return items


def post_all(port: int, token: str, bodies: list[bytes], clients: int) -> tuple[float, dict]:
    """POSTs the bodies from `clients` threads, one keep-alive connection each; returns the wall
    time and the sums of the answers."""
    pending = list(reversed(bodies))
    lock = threading.Lock()
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "errors": 0}

    def work(_) -> None:
        client = Http(port, token)
        while True:
            with lock:
                if not pending:
                    break
                body = pending.pop()
            status, answer = client.request("POST", "/api/v1/feedback/", body)
            with lock:
                if status != 202:
                    totals["errors"] += 1
                    print(f"  POST answered {status}: {answer[:300]!r}", flush=True)
                    continue
                result = orjson.loads(answer)
                totals["accepted"] += result["accepted"]
                totals["duplicates"] += result["duplicates"]
                totals["rejected"] += len(result["rejected"])
        client.close()

    with stopwatch() as elapsed:
        in_parallel(work, list(range(clients)))
    return elapsed(), totals


def raw_reference(url: str, batches: list[list[tuple]], connections: int) -> float:
    """The same rows, COPY'd into a staging table and inserted with ON CONFLICT DO NOTHING, one
    transaction per batch, as many connections as gunicorn has workers: the database's own limit
    for this table. Returns the seconds taken."""
    from feedback.ingestion import COLUMNS, STAGED, STAGING_TABLE, STAGING_TYPES

    columns = ", ".join(COLUMNS)
    insert = f"""
        INSERT INTO feedback_feedback ({columns}, received_at)
        SELECT {STAGED}, now() FROM feedback_staging
        ON CONFLICT (workspace_id, external_id) WHERE external_id IS NOT NULL DO NOTHING"""

    def load(share: list[list[tuple]]) -> None:
        with psycopg.connect(url) as conn:
            for rows in share:
                with conn.transaction(), conn.cursor() as cursor:
                    cursor.execute(STAGING_TABLE)
                    copy_sql = f"COPY feedback_staging ({columns}) FROM STDIN (FORMAT BINARY)"
                    with cursor.copy(copy_sql) as copy:
                        copy.set_types(list(STAGING_TYPES.values()))
                        for row in rows:
                            copy.write_row(row)
                    cursor.execute(insert)

    with stopwatch() as elapsed:
        in_parallel(load, [batches[i::connections] for i in range(connections)])
    return elapsed()


def naive_reference(workspace, items: list[dict]) -> float:
    """A ModelSerializer over Feedback, validated and saved one item at a time, as a first
    version of the endpoint would be written."""
    from rest_framework import serializers

    from feedback.ingestion import FIELDS
    from feedback.models import Feedback
    from feedback.negative import is_negative
    from touchpoints.models import Touchpoint

    class NaiveFeedbackSerializer(serializers.ModelSerializer):
        touchpoint_key = serializers.SlugRelatedField(
            source="touchpoint",
            slug_field="key",
            queryset=Touchpoint.objects.filter(workspace=workspace),
        )

        class Meta:
            model = Feedback
            fields = sorted(FIELDS - {"touchpoint"})  # what the real endpoint accepts

    with stopwatch() as elapsed:
        for item in items:
            serializer = NaiveFeedbackSerializer(data=item)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            signals = (data.get(name) for name in ("nps", "csat", "ces", "sentiment", "outcome"))
            serializer.save(
                workspace=workspace,
                journey_id=data["touchpoint"].journey_id,
                is_negative=is_negative(*signals),
            )
    return elapsed()


def body(args: argparse.Namespace, report: Report) -> None:
    with bench_database("ingest") as url:
        django_setup(url)
        from django.db.models import Sum

        from feedback.ingestion import validate_batch
        from feedback.models import DailyRollup, Feedback
        from workspaces.models import ApiToken

        workspace = create_workspace()
        keys = create_journeys(workspace, touchpoints=args.touchpoints)
        _, token = ApiToken.issue(workspace=workspace, name="ingest", role="analyst")

        total = args.batches * args.batch_size
        items = make_items(total, keys, customers=args.customers, prefix="zd", seed=5)
        chunks = [items[i : i + args.batch_size] for i in range(0, total, args.batch_size)]
        bodies = [orjson.dumps(chunk) for chunk in chunks]
        print(
            f"  {total:,} items in {len(bodies)} batches of {args.batch_size:,} "
            f"({sum(map(len, bodies)) / total:.0f} bytes per item), {len(keys)} touchpoints",
            flush=True,
        )

        # The reference runs on the empty table before and after the app (the faster run
        # counts: these machines are noisy); the table is emptied for each.
        rows = [validate_batch(workspace, chunk).rows for chunk in chunks]
        raw_seconds = [raw_reference(url, rows, args.workers)]
        empty_feedback()

        with gunicorn(url, token, workers=args.workers) as port:
            warm = Http(port, token)
            for _ in range(4 * args.workers):  # the POST path of every worker; stores nothing
                warm.request("POST", "/api/v1/feedback/", b'[{"touchpoint_key": "none"}]')
            warm.close()
            seconds, totals = post_all(port, token, bodies, args.clients)
            stored = Feedback.objects.count()
            if totals["errors"] or totals["rejected"] or stored != total:
                report.note(f"ingest: {totals} and {stored:,} rows stored of {total:,}")
            replay_seconds, replay = post_all(port, token, bodies, args.clients)
            added = Feedback.objects.count() - stored
            if replay["errors"] or replay["duplicates"] != total:
                report.note(f"replay: {replay}")
        rolled = DailyRollup.objects.aggregate(n=Sum("responses"))["n"]
        if rolled != stored:
            report.note(f"the rollups count {rolled:,} responses for {stored:,} rows")

        empty_feedback()
        raw_seconds.append(raw_reference(url, rows, args.workers))
        del rows
        empty_feedback()
        print(f"  raw COPY + INSERT, before and after: {fmt_rates(total, raw_seconds)}", flush=True)

        naive_items = make_items(
            args.naive_items, keys, customers=args.customers, prefix="naive", seed=6
        )
        naive_seconds = naive_reference(workspace, naive_items)

        rate = total / seconds
        raw_rate = total / min(raw_seconds)
        naive_rate = args.naive_items / naive_seconds
        report.add("ingest: POST batches over HTTP", rate, "items/s", 50_000, "higher")
        report.add("ingest ÷ raw COPY + INSERT", rate / raw_rate, "×", 0.7, "higher")
        report.add("ingest ÷ naive ModelSerializer", rate / naive_rate, "×", 20, "higher")
        report.add("idempotent replay", total / replay_seconds, "items/s", round(rate), "higher")
        report.add("replay: rows added", added, "rows", 0, "equal")
        report.add(f"reference: raw COPY + INSERT ({args.workers} conns.)", raw_rate, "rows/s")
        report.add(
            f"reference: naive ModelSerializer ({args.naive_items:,} items)", naive_rate, "items/s"
        )


def empty_feedback() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE feedback_feedback, feedback_dailyrollup, feedback_dirtytouchpoint")
        cursor.execute("CHECKPOINT")


def fmt_rates(total: int, seconds: list[float]) -> str:
    return ", ".join(f"{total / s:,.0f} rows/s" for s in seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (and raw reference connections)"
    )
    parser.add_argument("--touchpoints", type=int, default=300)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--naive-items", type=int, default=500)
    main("ingest", parser, body)
