"""Real processes for end-to-end tests: a Celery worker and a gunicorn server, on the test
database and the real Redis, as separate OS processes."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import redis
from celery import current_app
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def process_env(**overrides) -> dict:
    """The environment of this test run, pointed at the test database."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env.update(overrides)
    return env


def wait_for(condition, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stop(process: subprocess.Popen, sig=signal.SIGTERM, *, timeout: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def celery_worker(**env):
    """A worker process (solo pool), ready when it answers a ping."""
    name = f"test-{os.getpid()}-{time.monotonic_ns()}@localhost"
    process = subprocess.Popen(
        [
            BIN / "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
            "-n",
            name,
        ],
        cwd=ROOT,
        env=process_env(**env),
    )
    try:
        wait_for(
            lambda: current_app.control.ping(destination=[name], timeout=0.5),
            timeout=30,
            what="the Celery worker",
        )
        yield process
    finally:
        stop(process)


@contextmanager
def private_redis():
    """A redis-server of this test's own on a free port (never the shared one): yields its
    process and URL, so a test may freeze it (SIGSTOP) or kill it."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: _pings(url), timeout=10, what="the private redis-server")
        yield process, url
    finally:
        process.send_signal(signal.SIGCONT)
        stop(process, signal.SIGKILL)


def _pings(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def reset_broker() -> None:
    """Empties the test Redis database: queued and unacknowledged tasks, debounce keys."""
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(*, workers: int = 1, **env):
    """The app served by gunicorn with its production settings on a free loopback port; yields
    its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--config",
            "config/gunicorn.py",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=process_env(**{"GUNICORN_ACCESS_LOG": "", **env}),
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=1)
            return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=30, what="gunicorn")
        yield base
    finally:
        stop(process)
