"""Stops `make test` with one clear line when PostgreSQL or Redis cannot be reached."""

import os
import sys

import psycopg
import redis

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"


def main() -> int:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    # The test database does not exist yet; its server's maintenance database does.
    server_url = database_url.rsplit("/", 1)[0] + "/postgres"
    try:
        psycopg.connect(server_url, connect_timeout=3).close()
    except psycopg.Error as exc:
        print(f"PostgreSQL is unreachable at {database_url} ({exc}); start it: {PG_START}")
        return 1
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        print(f"Redis is unreachable at {redis_url} ({exc}); start it: {REDIS_START}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
