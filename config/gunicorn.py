"""gunicorn's settings, for the Dockerfile, docker-compose and `make bench` alike
(`gunicorn -c config/gunicorn.py config.wsgi`; command-line flags override them).

Threaded workers keep API clients' connections alive: a sync worker closes each one after its
answer, and the reconnects cost the 32-connection list benchmark a tenth of its rate. A slow
client also holds a thread rather than a whole worker; sync workers expect a buffering proxy
in front, and docker-compose serves gunicorn itself."""

import os

bind = os.getenv("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.getenv("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
# Two: one thread runs while the other waits on PostgreSQL or a slow client. Measured on the
# list benchmark (2 workers, 32 connections): 1 to 4 threads within this machine's noise,
# 800–1,030 answers/s with If-None-Match; 8 threads lost a fifth to the GIL.
threads = int(os.getenv("GUNICORN_THREADS", "2"))
keepalive = 5
accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-") or None  # "": none
