"""Production settings pass Django's deployment checks, and the compose file stays valid."""

import http.client
import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from tests.processes import gunicorn_server

ROOT = Path(__file__).resolve().parent.parent


def production_environment() -> dict:
    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    return {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")
    }


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **production_environment(),
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "truthmap.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_environment()
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DEBUG": "False"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in production_environment().items() if k != "DEBUG"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**env, "SECRET_KEY": secrets.token_urlsafe(50)},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr
    # And without a secret key, a deployment that forgot DEBUG does not start at all.
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "SECRET_KEY must be set" in result.stderr


def test_docker_compose_runs_web_a_worker_per_queue_beat_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workers = {f"worker-{queue}" for queue in settings.CELERY_TASK_QUEUES}
    assert set(compose["services"]) == {"web", *workers, "beat", "postgres", "redis"}
    for queue in settings.CELERY_TASK_QUEUES:
        assert f"-Q {queue} " in compose["services"][f"worker-{queue}"]["command"]
    for name in ("web", *workers, "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")


def test_web_serves_with_gunicorns_settings_and_keeps_connections_alive(db):
    """The image, compose and the tests start gunicorn with config/gunicorn.py, whose threaded
    workers answer a client's requests on one connection (sync workers close each)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert (
        "gunicorn --config config/gunicorn.py config.wsgi" in compose["services"]["web"]["command"]
    )
    assert '"gunicorn", "--config", "config/gunicorn.py"' in (ROOT / "Dockerfile").read_text()
    with gunicorn_server() as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        statuses, sockets = [], []
        for _ in range(3):
            connection.request("GET", "/login/")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            sockets.append(connection.sock)
        connection.close()
    assert statuses == [200, 200, 200]
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3
