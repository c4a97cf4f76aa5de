"""Freshness: feedback POSTed at a sustained rate (batches of --batch-size every --interval s
from one client) to a few touchpoints, gunicorn (2 workers) and one Celery worker (no beat);
the time from each batch's 202 to the touchpoints' health reflecting it, polled from another
thread.

    python -m bench.freshness [--seconds 20] [--batch-size 100] [--interval 0.1] [--touchpoints 4]
"""

import argparse
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import orjson

from bench.common import (
    Http,
    Report,
    bench_database,
    celery_worker,
    create_journey,
    create_workspace,
    django_setup,
    gunicorn,
    main,
    percentile,
)

TARGET_P95 = 1.0  # issue 14: at 1,000 items/s


def make_batch(index: int, size: int, keys: list[str], rng: random.Random) -> list[dict]:
    now = datetime.now(UTC)
    items = []
    for n in range(size):
        good = rng.random() < 0.7
        item = {
            "external_id": f"fresh-{index:06d}-{n:04d}",
            "touchpoint_key": keys[n % len(keys)],
            "occurred_at": (now - timedelta(seconds=rng.randrange(3600))).isoformat(),
            "customer_ref": f"CUST-{rng.randrange(10_000):05d}",
            "nps": rng.choice([9, 10, 8]) if good else rng.randrange(7),
            "csat": rng.choice([4, 5]) if good else rng.randrange(1, 4),
        }
        if rng.random() < 0.2:
            item["comment"] = "Quick and easy, thank you!" if good else "Awful, nobody answered."
        items.append(item)
    return items


class Load:
    """Feedback POSTed at a sustained rate to a few touchpoints of a journey, and the time from
    each batch's 202 to their health reflecting it."""

    def __init__(self, journey, token: str, args: argparse.Namespace):
        from touchpoints.models import Touchpoint

        chosen = list(journey.touchpoints.order_by("key")[: args.touchpoints])
        # No feedback yet: a health n of 0, so n counts exactly what the benchmark sends.
        Touchpoint.objects.filter(journey=journey).update(health_n=0)
        self.keys = [tp.key for tp in chosen]
        self.ids = {tp.key: str(tp.pk) for tp in chosen}
        self.token, self.args = token, args
        batches = round(args.seconds / args.interval)
        rng = random.Random(11)
        self.bodies = [
            orjson.dumps(make_batch(i, args.batch_size, self.keys, rng)) for i in range(batches)
        ]
        # After batch i, how many items each touchpoint has been sent in all.
        sent, self.expected = dict.fromkeys(self.keys, 0), []
        for _ in range(batches):
            for n in range(args.batch_size):
                sent[self.keys[n % len(self.keys)]] += 1
            self.expected.append(dict(sent))

    def run(self, port: int) -> tuple[list[float], int, float]:
        """Sends every batch and waits for them to be reflected: the lags in s, the batches
        never reflected, and the rate sustained in items/s."""
        args, keys = self.args, self.keys
        accepted_at: list[float] = []  # time of each batch's 202, in order
        reflected_at: dict[int, float] = {}
        lock = threading.Lock()
        sending_done = threading.Event()
        errors = []

        def send() -> None:
            client = Http(port, self.token)
            start = time.perf_counter()
            try:
                for i, payload in enumerate(self.bodies):
                    pause = start + i * args.interval - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    status, answer = client.request("POST", "/api/v1/feedback/", payload)
                    now = time.perf_counter()
                    if status != 202:
                        errors.append(f"POST answered {status}: {answer[:200]!r}")
                        break
                    with lock:
                        accepted_at.append(now)
            finally:
                client.close()
                sending_done.set()

        def poll() -> None:
            client = Http(port, self.token)
            deadline = None
            try:
                while True:
                    seen = {}
                    for key in keys:
                        status, answer = client.get(f"/api/v1/touchpoints/{self.ids[key]}/health/")
                        if status != 200:
                            errors.append(f"GET health answered {status}: {answer[:200]!r}")
                            return
                        seen[key] = orjson.loads(answer)["n"]
                    now = time.perf_counter()
                    with lock:
                        done = len(accepted_at)
                    for i in range(len(reflected_at), done):
                        if any(seen[key] < self.expected[i][key] for key in keys):
                            break
                        reflected_at[i] = now
                    if sending_done.is_set():
                        if len(reflected_at) >= len(accepted_at) or errors:
                            return
                        deadline = deadline or now + args.settle
                        if now > deadline:
                            return
                    time.sleep(args.poll_interval)
            finally:
                client.close()

        threads = [threading.Thread(target=send), threading.Thread(target=poll)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError("; ".join(errors[:3]))
        lags = [reflected_at[i] - accepted_at[i] for i in sorted(reflected_at)]
        span = accepted_at[-1] - accepted_at[0] if len(accepted_at) > 1 else 0
        rate = (len(accepted_at) - 1) * args.batch_size / span if span else 0
        print(
            f"  {len(accepted_at)} batches of {args.batch_size} to {len(keys)} touchpoints "
            f"over {span:.1f} s; {len(lags)} reflected",
            flush=True,
        )
        if not lags:
            raise RuntimeError("no batch was reflected in the health")
        return lags, len(accepted_at) - len(lags), rate


def body(args: argparse.Namespace, report: Report) -> None:
    with bench_database("freshness") as url:
        django_setup(url)
        from workspaces.models import ApiToken

        workspace = create_workspace()
        journey = create_journey(workspace, name="Journey", touchpoints=30, key_prefix="f")
        _, token = ApiToken.issue(workspace=workspace, name="freshness", role="analyst")
        load = Load(journey, token, args)
        with celery_worker(url), gunicorn(url, token, workers=2) as port:
            lags, missing, rate = load.run(port)
        if missing:
            report.note(
                f"freshness: {missing} batches not reflected "
                f"{args.settle:.0f} s after the last POST"
            )
        report.add("freshness: 202 → health, p95", percentile(lags, 95), "s", TARGET_P95, "lower")
        report.add("freshness: 202 → health, median", percentile(lags, 50), "s")
        report.add("freshness: sustained POST rate (aimed at 1,000)", rate, "items/s")


def add_arguments(parser: argparse.ArgumentParser, *, seconds: float = 20) -> None:
    parser.add_argument("--seconds", type=float, default=seconds, help="seconds of load")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between batches")
    parser.add_argument("--touchpoints", type=int, default=4)
    parser.add_argument("--poll-interval", type=float, default=0.05)
    parser.add_argument(
        "--settle", type=float, default=30, help="seconds to wait for the last batches"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    main("freshness", parser, body)
