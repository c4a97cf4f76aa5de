"""Maps and lists: GET /api/v1/journeys/{id}/map/ at 30 and 300 touchpoints (p95 over gunicorn,
SQL queries in-process; built each time, and from the cache of answers), the map page
/journeys/{id}/ when it exists (server time and queries, in-process), and the throughput of
GET /api/v1/touchpoints/?journey=… under 32 concurrent connections, polled with If-None-Match as
clients do, unconditional, and unconditional with a query that no answer in the cache matches,
beside that of the smallest authenticated API answer (the stack's floor).

    python -m bench.pages [--touchpoints 300] [--requests 200] [--connections 32] [--duration 10]
"""

import argparse
import asyncio
import gc
import time

from bench.common import (
    Http,
    Report,
    bench_database,
    create_journey,
    create_workspace,
    django_setup,
    gunicorn,
    main,
    percentile,
    sample,
    stopwatch,
)


def forget_answers() -> None:
    """Empties the cache of API answers (maps/conditional.py): the next GET builds its answer."""
    from django.core.cache import cache

    redis = cache._cache.get_client(write=True)
    if keys := list(redis.scan_iter(match="*api-answer:*")):
        redis.delete(*keys)


def count_queries(client, path: str) -> int:
    """The queries of a GET that builds its answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # the first call of a token also records when it was last used
    forget_answers()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(queries.captured_queries)


def p95_over_http(
    port: int, token: str, path: str, args: argparse.Namespace, *, built: bool = True
) -> float:
    """The p95 in ms of sequential GETs over one connection; `built`: each builds its answer."""
    client = Http(port, token)

    def measure() -> float:
        if built:
            forget_answers()
        status, seconds = client.timed_get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return seconds * 1000

    times = sample(measure, args.requests, args.seconds)
    client.close()
    return percentile(times, 95)


def throughput(
    port: int,
    tokens: list[str],
    path: str,
    duration: float,
    *,
    conditional: bool = False,
    unique: bool = False,
) -> tuple[float, int, int, int]:
    """Requests per second over one keep-alive connection per token for `duration`, the
    requests, the errors and the 304s. `conditional`: each connection sends back the last ETag
    it got as If-None-Match, as a polling client does. `unique`: every request adds a parameter
    of its own (which the API ignores), as a client that busts caches does, so that none finds
    its answer in the cache. The load comes from asyncio on raw sockets in this process: a
    thread per connection through http.client took a core of its own on this 2-core machine,
    the server's share."""
    return asyncio.run(_load(port, tokens, path, duration, conditional, unique))


def header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


async def _load(
    port: int, tokens: list[str], path: str, duration: float, conditional: bool, unique: bool
):
    done, errors, unchanged = [0], [0], [0]

    async def connection(token: str) -> None:
        headers = f"HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        etag = None
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            condition = f"If-None-Match: {etag.decode()}\r\n" if etag else ""
            asked = f"{path}&_={token[-8:]}{done[0]}" if unique else path
            writer.write(f"GET {asked} {headers}{condition}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            await reader.readexactly(int(header(head, b"content-length") or 0))
            if conditional and status == 200:
                etag = header(head, b"etag")
            done[0] += 1
            unchanged[0] += status == 304
            errors[0] += status not in (200, 304)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    deadline = time.perf_counter() + duration
    with stopwatch() as elapsed:
        await asyncio.gather(*(connection(token) for token in tokens))
    return done[0] / elapsed(), done[0], errors[0], unchanged[0]


def map_page(report: Report, user, journeys: dict, args: argparse.Namespace) -> None:
    """The HTML map, in-process (server time), if the page exists yet."""
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, reverse

    # Static URLs without the collectstatic manifest production would have.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(user)

    def page(journey) -> str:
        try:
            return reverse("maps:map", args=[journey.pk])
        except NoReverseMatch:
            return f"/journeys/{journey.pk}/"

    with override_settings(STORAGES=storages):
        big = journeys[max(journeys)]
        if client.get(page(big)).status_code == 404:
            report.note("the map page /journeys/<id>/ does not exist yet: not measured")
            return
        counts = {size: count_queries(client, page(journey)) for size, journey in journeys.items()}
        gc.freeze()  # what the app has loaded, as config/wsgi.py freezes it in each web process

        def measure() -> float:
            with stopwatch() as elapsed:
                response = client.get(page(big))
            if response.status_code != 200:
                raise RuntimeError(f"the map page answered {response.status_code}")
            return elapsed() * 1000

        times = sample(measure, args.requests, args.seconds)
    small, large = min(journeys), max(journeys)
    report.add(
        f"map page p95, server ({large} touchpoints)", percentile(times, 95), "ms", 60, "lower"
    )
    report.add(f"map page SQL queries ({large} touchpoints)", counts[large], "", 12, "lower")
    report.add(
        f"map page SQL queries: {large} = {small} touchpoints",
        counts[large],
        "",
        counts[small],
        "equal",
    )


def body(args: argparse.Namespace, report: Report) -> None:
    with bench_database("pages") as url:
        django_setup(url)
        from django.contrib.auth import get_user_model
        from django.test import Client

        from workspaces.models import ApiToken, Membership

        workspace = create_workspace()
        journeys = {
            size: create_journey(
                workspace, name=f"{size} touchpoints", touchpoints=size, key_prefix=f"j{size}"
            )
            for size in sorted({args.small, args.touchpoints})
        }
        user = get_user_model().objects.create_user("bench", password="bench-password")
        Membership.objects.create(user=user, workspace=workspace, role="manager")
        tokens = [
            ApiToken.issue(workspace=workspace, name=f"client {i}", role="viewer")[1]
            for i in range(args.connections)
        ]
        small, large = min(journeys), max(journeys)
        map_path = {
            size: f"/api/v1/journeys/{journey.pk}/map/" for size, journey in journeys.items()
        }

        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")
        queries = {size: count_queries(client, path) for size, path in map_path.items()}
        map_page(report, user, journeys, args)

        list_path = f"/api/v1/touchpoints/?journey={journeys[large].pk}"
        with gunicorn(url, tokens[0]) as port:
            p95 = {
                size: p95_over_http(port, tokens[0], path, args) for size, path in map_path.items()
            }
            p95_cached = p95_over_http(port, tokens[0], map_path[large], args, built=False)
            rate, done, errors, _ = throughput(port, tokens, list_path, args.duration)
            built_rate, built_done, built_errors, _ = throughput(
                port, tokens, list_path, args.duration, unique=True
            )
            polled, polls, poll_errors, not_modified = throughput(
                port, tokens, list_path, args.duration, conditional=True
            )
            # The stack's floor: the smallest authenticated API answer, under the same load.
            floor, *_ = throughput(port, tokens, "/api/v1/journeys/?page_size=1", args.duration)

        report.add(f"map API p95 ({large} touchpoints)", p95[large], "ms", 80, "lower")
        report.add(
            f"map API SQL queries: {large} = {small} touchpoints",
            queries[large],
            "",
            queries[small],
            "equal",
        )
        report.add(f"reference: map API p95 ({small} touchpoints)", p95[small], "ms")
        report.add(f"reference: map API p95 ({large}), answer from the cache", p95_cached, "ms")
        report.add(
            f"list API, {args.connections} connections, with If-None-Match",
            polled,
            "req/s",
            1000,
            "higher",
        )
        report.add(
            f"list API errors with If-None-Match ({polls:,} requests, {not_modified:,} 304)",
            poll_errors,
            "",
            0,
            "equal",
        )
        report.add(
            f"list API, {args.connections} connections, unconditional", rate, "req/s", 300, "higher"
        )
        report.add(f"list API errors, unconditional ({done:,} requests)", errors, "", 0, "equal")
        report.add("reference: list API, unconditional, every answer built", built_rate, "req/s")
        report.add(
            f"list API errors, every answer built ({built_done:,} requests)",
            built_errors,
            "",
            0,
            "equal",
        )
        report.add("reference: smallest API answer (journeys/?page_size=1)", floor, "req/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--touchpoints", type=int, default=300)
    parser.add_argument("--small", type=int, default=30, help="touchpoints of the smaller map")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per p95")
    parser.add_argument(
        "--seconds", type=float, default=15, help="at most this long per p95 (5 requests at least)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10, help="seconds of list API load")
    main("pages", parser, body)
