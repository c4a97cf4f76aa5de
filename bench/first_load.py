"""The biggest demo map's first load in Chromium, with an empty cache, on loopback: navigation
start → load event and → network idle (medians over fresh browser contexts), and the bytes it
transfers, JavaScript and in all. Network idle is when the last response ended or the load event,
whichever is later (Playwright then waits for 500 ms of quiet, not counted). The app is served as
`make run` serves it: collectstatic, then runserver with DEBUG on, whitenoise serving the
collected files.

    python -m bench.first_load [--loads 7]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import (
    ROOT,
    Http,
    Report,
    app_env,
    bench_database,
    django_setup,
    free_port,
    main,
    stop,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def make_run_env(url: str) -> dict[str, str]:
    return app_env(url, DEBUG="True", SECRET_KEY="", ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="WARNING")


@contextmanager
def runserver(url: str) -> Iterator[int]:
    """collectstatic, then `manage.py runserver` (no autoreloader, so one process to stop) on a
    free loopback port; yields the port once the login page answers."""
    env = make_run_env(url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    process = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Http(port)
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"runserver exited with status {process.returncode}")
            try:
                if client.get("/login/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("runserver did not answer within 60 s")
            client.close()
            time.sleep(0.2)
        client.close()
        yield port
    finally:
        stop(process)


def load(browser, base: str, path: str, state: dict) -> dict:
    """One load in a new context (its own, empty HTTP cache), signed in by `state`'s cookie."""
    context = browser.new_context(storage_state=state, viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    errors, responses = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda response: responses.append(response))
    page.goto(base + path, wait_until="networkidle")
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType("navigation")[0];
            const ends = performance.getEntriesByType("resource").map((r) => r.responseEnd);
            return {load: nav.loadEventEnd, idle: Math.max(nav.loadEventEnd, ...ends)};
        }"""
    )
    if any(response.status != 200 for response in responses):
        bad = [f"{r.status} {r.url}" for r in responses if r.status != 200]
        raise RuntimeError(f"failed responses: {bad}")
    scripts = [r for r in responses if r.request.resource_type == "script"]

    def transferred(response) -> int:
        sizes = response.request.sizes()
        return sizes["responseHeadersSize"] + sizes["responseBodySize"]

    result = {
        **timing,
        "errors": errors,
        "js": sum(map(transferred, scripts)),
        "js_decoded": sum(len(r.body()) for r in scripts),
        "total": sum(map(transferred, responses)),
        "requests": len(responses),
        "scripts": [
            f"{r.url.rsplit('/', 1)[-1]}: {transferred(r):,} B, "
            f"{r.headers.get('content-encoding', 'not compressed')}, {r.headers['cache-control']}"
            for r in scripts
        ],
    }
    context.close()
    return result


def body(args: argparse.Namespace, report: Report) -> None:
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("Chromium is missing: apt-get install -y chromium")
    with bench_database("first_load") as url:
        django_setup(url)
        from django.core.management import call_command
        from django.db.models import Count

        from journeys.models import Journey

        call_command("seed_demo", verbosity=0)
        journey = Journey.objects.annotate(n=Count("touchpoints")).order_by("-n").first()
        path = f"/journeys/{journey.pk}/"
        report.note(
            f"first load: the map of {journey.name!r} ({journey.n} touchpoints), served by "
            "runserver with DEBUG on and the collected static, as `make run` serves it"
        )
        from playwright.sync_api import sync_playwright

        with runserver(url) as port, sync_playwright() as playwright:
            base = f"http://127.0.0.1:{port}"
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", "demo")
            page.fill("input[name=password]", "demo")
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{base}/")
            state = context.storage_state()
            context.close()
            load(browser, base, path, state)  # the server's first map (URLconf, templates)
            loads = [load(browser, base, path, state) for _ in range(args.loads)]
            browser.close()

        last = loads[-1]
        for line in last["scripts"]:
            print(f"  {line}", flush=True)
        median = {key: statistics.median(r[key] for r in loads) for key in ("load", "idle")}
        worst = max(r["load"] for r in loads)
        report.add(
            f"map first load, empty cache → load event (median of {args.loads})",
            median["load"],
            "ms",
            1000,
            "lower",
        )
        report.add("reference: map first load → network idle (median)", median["idle"], "ms")
        report.add("reference: map first load → load event (slowest)", worst, "ms")
        report.add("map first load: JavaScript transferred", last["js"] / 1e6, "MB", 1.5, "lower")
        report.add("reference: JavaScript, uncompressed", last["js_decoded"] / 1e6, "MB")
        report.add(
            f"reference: map first load, all transferred ({last['requests']} responses)",
            last["total"] / 1e6,
            "MB",
        )
        errors = sorted({error for r in loads for error in r["errors"]})
        report.add("map first load: console errors", len(errors), "", 0, "equal")
        for error in errors:
            report.note(f"first load: console error {error}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=7, help="cold loads measured")
    main("first_load", parser, body)
