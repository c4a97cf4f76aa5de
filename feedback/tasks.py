"""Thin Celery tasks over the scoring, sentiment and import functions. All are idempotent:
state lives in the database, so a task run twice, or retried after a crash, does no harm."""

from celery import shared_task
from django.core.cache import cache

from feedback import imports, scoring, sentiment
from feedback.publishing import RESCORE_DEBOUNCE_KEY, schedule_rescore
from touchpoints.models import Touchpoint

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def rescore_dirty_task() -> int:
    # Cleared before claiming: feedback committed from here on schedules another run.
    cache.delete(RESCORE_DEBOUNCE_KEY)
    return scoring.rescore_dirty()


@shared_task(**RETRY)
def rescore_all_task() -> int:
    """Daily: the window moves, so every touchpoint is scored again (and snapshotted)."""
    scoring.mark_dirty(Touchpoint.objects.values_list("id", flat=True))
    return scoring.rescore_dirty()


@shared_task(**RETRY)
def rescore_journey_task(journey_id: str) -> int:
    scoring.mark_dirty(
        Touchpoint.objects.filter(journey_id=journey_id).values_list("id", flat=True)
    )
    return scoring.rescore_dirty()


@shared_task(**RETRY)
def score_sentiment_task() -> int:
    scored = sentiment.score_pending_sentiment()
    if scored:
        schedule_rescore()
    return scored


@shared_task(**RETRY)
def import_feedback_task(job_id: str) -> None:
    imports.import_run(job_id)
