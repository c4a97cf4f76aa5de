"""Publishing tasks without ever failing the caller.

A lost publish (broker down) loses no work: accepted feedback marks its touchpoints dirty in the
database, and beat sweeps them every minute. Tasks are named, not imported, to keep the
ingestion code free of Celery imports."""

import logging
from contextlib import suppress

from celery import current_app
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

RESCORE_DEBOUNCE_KEY = "feedback:rescore-scheduled"
RESCORE_DELAY_SECONDS = 1
# Long enough to cover the delay and a busy queue; short enough that a lost run costs little.
RESCORE_DEBOUNCE_TIMEOUT = 10


def publish(task_name: str, *args, **options) -> bool:
    try:
        current_app.send_task(task_name, args=args, **options)
        return True
    except Exception:
        log.warning("Could not publish %s; the periodic sweep will catch up.", task_name)
        return False


def schedule_rescore() -> None:
    """At most one pending rescore at a time: a burst of feedback shares one run."""
    try:
        first = cache.add(RESCORE_DEBOUNCE_KEY, 1, timeout=RESCORE_DEBOUNCE_TIMEOUT)
    except Exception:
        log.warning("Cache unreachable; publishing a rescore without debouncing.")
        first = True
    if first and not publish("feedback.tasks.rescore_dirty_task", countdown=RESCORE_DELAY_SECONDS):
        with suppress(Exception):  # else the key expires by itself
            cache.delete(RESCORE_DEBOUNCE_KEY)


def after_ingest(*, sentiment_pending: bool) -> None:
    """Called inside the ingesting transaction: tasks go out once it commits."""
    transaction.on_commit(schedule_rescore)
    if sentiment_pending:
        transaction.on_commit(lambda: publish("feedback.tasks.score_sentiment_task"))
