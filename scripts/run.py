"""`make run`: the app with demo data, on an embedded PostgreSQL unless DATABASE_URL names one.

Migrates, collects the static files, loads the demo, starts a Celery worker per queue (the
scoring one with beat) and the development server, prints the URL once the server answers, and stops everything, the embedded PostgreSQL included, when
one of them exits or this launcher is interrupted (Ctrl-C, SIGTERM, SIGHUP).

PORT (8000) and VAR_DIR (var/: the PostgreSQL data, the filesystem broker) can be changed."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pgserver
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "truthmap"
# A worker per queue (config/settings.py routes the tasks), so no kind of work waits behind
# another. One process each: a scoring, import or sentiment task keeps a core busy and this
# machine has two. Deliveries wait on receivers (up to 5 s each), so they take threads.
WORKERS = {
    "scoring": ["--concurrency=1", "--beat"],
    "imports": ["--concurrency=1"],
    "sentiment": ["--concurrency=1"],
    "deliveries": ["--pool=threads", "--concurrency=8"],
}


class Interrupted(Exception):
    pass


def interrupted(signum, frame):
    raise Interrupted


def embedded_postgres(*, data: Path) -> pgserver.PostgresServer:
    # cleanup_mode=None: this launcher stops the server itself. pgserver's own stop at exit
    # only happens when its list of client pids is empty, and a killed launcher leaves its pid.
    server = pgserver.get_server(data, cleanup_mode=None)
    # pgserver keeps one object per data folder in a process: one stopped and wanted again (a
    # test that restarts it) is started through it.
    server.ensure_postgres_running()
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        known = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if not known.fetchone():
            connection.execute(f"CREATE DATABASE {DATABASE}")
    return server


def database_url(*, server: pgserver.PostgresServer) -> str:
    info = server.get_postmaster_info()
    socket_dir = urllib.parse.quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{socket_dir}:{info.port}/{DATABASE}"


def stop_postgres(*, server: pgserver.PostgresServer) -> None:
    os.kill(server.get_pid(), signal.SIGINT)  # "fast" shutdown: disconnects clients, then stops
    pid_file = server.pgdata / "postmaster.pid"
    deadline = time.monotonic() + 30
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_file.exists():
        print(f"PostgreSQL did not stop within 30 s; see {server.log}", file=sys.stderr)


def start(*, command: list, env: dict) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches this launcher only, which stops the children in
    # order, and what a child leaves behind can be found by its group.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(*, process: subprocess.Popen) -> None:
    # The leader only: it stops its own processes (the worker's pool and beat, the reloader's
    # server); a worker whose pool is signalled too logs errors and restarts it first.
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
    process.wait()


def answers(*, url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main() -> int:
    port = int(os.environ.get("PORT") or 8000)
    var = Path(os.environ.get("VAR_DIR") or ROOT / "var").resolve()
    (var / "broker" / "processed").mkdir(parents=True, exist_ok=True)
    (var / "broker" / "control").mkdir(parents=True, exist_ok=True)
    env = {"DEBUG": "true", **os.environ, "VAR_DIR": str(var)}
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")  # the links in emails
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # left ignored, as nohup and & ask
            signal.signal(signum, interrupted)

    server = None
    children = []
    try:
        if not env.get("DATABASE_URL"):
            server = embedded_postgres(data=var / "postgres")
            env["DATABASE_URL"] = database_url(server=server)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True)
        for queue, options in WORKERS.items():
            worker = [BIN / "celery", "-A", "config", "worker", "-Q", queue, "-n", f"{queue}@%h"]
            worker += ["--loglevel=warning", f"--schedule={var / 'celerybeat-schedule'}", *options]
            children.append(start(command=worker, env=env))
        children.append(start(command=[*manage, "runserver", f"127.0.0.1:{port}"], env=env))

        url = f"http://127.0.0.1:{port}/"
        while not answers(url=f"{url}login/"):
            if any(child.poll() is not None for child in children):
                return 1
            time.sleep(0.2)
        print(f"\n  Truthmap is on {url}  (sign in as demo / demo)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1
    except Interrupted:
        return 0
    except subprocess.CalledProcessError as error:
        return error.returncode
    finally:
        # A second Ctrl-C must not cut the stopping short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for child in children:
            stop(process=child)
        if server is not None:
            stop_postgres(server=server)


if __name__ == "__main__":
    sys.exit(main())
