"""`make run`'s launcher, through its real door: with no DATABASE_URL it starts an embedded
PostgreSQL, prints the URL once the app answers, and leaves nothing running once interrupted.
About 12 s: a new PostgreSQL and its migrations, then the Celery workers' warm shutdown."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import psycopg
import pytest
from django.conf import settings

from tests.processes import ROOT, free_port, stop, wait_for


def alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE  # nothing here reaps orphans
    except psutil.NoSuchProcess:
        return False


def sign_in(*, base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = browser.open(f"{base}/login/", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": csrf, "username": username, "password": password}
    browser.open(f"{base}/login/", urllib.parse.urlencode(form).encode(), timeout=10)
    return browser


def test_run_serves_on_an_embedded_postgresql_and_stops_everything(
    tmp_path: Path, postgres_dir: Path
):
    port = free_port()
    var = postgres_dir / "var"
    output = tmp_path / "output.txt"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(PORT=str(port), VAR_DIR=str(var))
    with output.open("w") as out:
        launcher = subprocess.Popen(
            [sys.executable, "scripts/run.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: "Truthmap is on" in output.read_text() or launcher.poll() is not None,
            timeout=60,
            what="the URL line",
        )
        # Already answering the moment the line is out.
        with urllib.request.urlopen(f"{base}/login/", timeout=5) as login:
            assert login.status == 200
        assert f"Truthmap is on {base}/  (sign in as demo / demo)" in output.read_text()

        children = psutil.Process(launcher.pid).children(recursive=True)
        workers = [child.cmdline() for child in children if "-Q" in child.cmdline()]
        # A worker per queue (its pool's processes have its command line too).
        assert {cmdline[cmdline.index("-Q") + 1] for cmdline in workers} == set(
            settings.CELERY_TASK_QUEUES
        )
        lines = (var / "postgres" / "postmaster.pid").read_text().splitlines()
        postmaster, socket_dir = psutil.Process(int(lines[0])), lines[4]
        assert alive(postmaster)

        browser = sign_in(base=base, username="demo", password="demo")
        with browser.open(f"{base}/", timeout=10) as dashboard:
            assert dashboard.status == 200
            assert "Online purchase" in dashboard.read().decode()  # a demo journey
    finally:
        stop(launcher, signal.SIGINT, timeout=60)
    assert launcher.returncode == 0, output.read_text()

    assert [child.cmdline() for child in children if alive(child)] == []
    assert not alive(postmaster)
    assert not (var / "postgres" / "postmaster.pid").exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=socket_dir, user="postgres", dbname="truthmap", connect_timeout=2)
