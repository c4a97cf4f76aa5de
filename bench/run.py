"""Runs every benchmark, each in its own process on its own database, and prints one table:
figure, value, target, ratio (value/target, or target/value when lower is better; ≥ 1 is met).

    make bench
    .venv/bin/python bench/run.py [--only ingest,pages] [--ingest="--batches 80"] [--timeout 300]

The PostgreSQL server is DATABASE_URL's (each benchmark makes and drops truthmap_bench_<name>);
the Redis server is REDIS_URL's, database 12. Sizes are each benchmark's flags (`python -m
bench.<name> --help`); the defaults keep `make bench` under 10 minutes on a 2-core machine.
"""

import argparse
import json
import math
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Figure, database_url  # noqa: E402

BENCHMARKS = [
    "ingest",
    "imports",
    "freshness",
    "import_under_load",
    "scoring",
    "at_risk",
    "pages",
    "first_load",
    "scale_out",
]
NOT_COVERED: list[str] = []


def run_one(name: str, extra: str, timeout: float) -> dict:
    """Runs `python -m bench.<name>`; a benchmark over its time is stopped with SIGTERM (it
    then drops its database) and, failing that, killed."""
    checkpoint()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        command = [sys.executable, "-m", f"bench.{name}", "--results", str(results)]
        process = subprocess.Popen([*command, *shlex.split(extra)], cwd=ROOT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            drop_leftover(name)
            return {"benchmark": name, "figures": [], "notes": [], "error": f"over {timeout} s"}
        if results.exists():
            data = json.loads(results.read_text())
        else:
            data = {"benchmark": name, "figures": [], "notes": [], "error": ""}
        if process.returncode and not data["error"]:
            data["error"] = f"exit status {process.returncode}"
        return data


def checkpoint() -> None:
    """Writes out what the previous benchmark left in PostgreSQL's buffers, so that it is not
    written during the next one's measurements: right after the at-risk benchmark's 5,000,000
    rows, the list benchmark answered 906 and 258 req/s, and 1,032 and 288 with this first."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def drop_leftover(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "truthmap_bench_{name}" WITH (FORCE)')


def ratio_text(figure: Figure) -> str:
    if figure.met is None:
        return ""
    mark = "ok" if figure.met else "MISSED"
    if figure.better == "equal":
        return mark
    return f"{figure.ratio:.2f} {mark}"


def table(rows: list[list[str]]) -> str:
    """A Markdown table: the figure left-aligned, the numbers right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(cells: list[str]) -> str:
        numbers = zip(cells[1:], widths[1:], strict=True)
        padded = [cells[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in numbers]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "-" * (widths[0] + 2) + "|" + "|".join("-" * (w + 1) + ":" for w in widths[1:])
    return "\n".join([line(rows[0]), rule + "|", *map(line, rows[1:])])


def python_speed() -> float:
    """Millions of iterations a second of a plain Python loop, the best of 3: the app's Python
    figures scale with it, so figures from two machines compare once divided by it."""
    best = math.inf
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for number in range(2_000_000):
            total += number
        best = min(best, time.perf_counter() - start)
    return 2 / best


def machine(speed: float) -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        import psycopg

        with psycopg.connect(database_url("postgres")) as conn:
            server = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:
        server = "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB RAM; Python {platform.python_version()}, "
        f"PostgreSQL {server}; plain Python {speed:.1f} M loop iterations/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated, of {', '.join(BENCHMARKS)}")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per benchmark")
    for name in BENCHMARKS:
        parser.add_argument(
            f"--{name.replace('_', '-')}", default="", metavar="FLAGS", help=f"flags of {name}"
        )
    args = parser.parse_args()
    names = args.only.split(",") if args.only else BENCHMARKS
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    speed = python_speed()  # before the load
    reports = [run_one(name, getattr(args, name), args.timeout) for name in names]

    rows = [["figure", "value", "target", "ratio"]]
    notes, failed = [], []
    for report in reports:
        for data in report["figures"]:
            figure = Figure(**data)
            rows.append([figure.name, figure.shown_value, figure.shown_target, ratio_text(figure)])
        notes += report["notes"]
        if report["error"]:
            failed.append(f"{report['benchmark']}: {report['error']}")
            rows.append([f"{report['benchmark']}: FAILED", "", "", ""])
    print()
    print(table(rows))
    print()
    print(f"Machine: {machine(speed)}.")
    print(
        f"Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{time.monotonic() - started:.0f} s in all."
    )
    for note in notes:
        print(f"Note: {note}.")
    if NOT_COVERED:
        print(f"Not covered by these benchmarks: {'; '.join(NOT_COVERED)}.")
    for failure in failed:
        print(f"FAILED {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
