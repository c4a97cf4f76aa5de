"""Thin Celery tasks over the scoring, sentiment and import functions. All are idempotent:
state lives in the database, so a task run twice, or retried after a crash, does no harm.
They are published through feedback.publishing, which survives a broker outage."""

from celery import Task, shared_task
from django.core.cache import cache

from feedback import at_risk, imports, ingestion, publishing, scoring, sentiment
from touchpoints.models import Touchpoint

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def rescore_dirty_task() -> int:
    # Cleared before claiming: feedback committed from here on schedules another run.
    cache.delete(publishing.RESCORE_DEBOUNCE_KEY)
    return rescored(scoring.rescore_dirty())


@shared_task(**RETRY)
def rescore_all_task() -> int:
    """Daily: the window moves, so every touchpoint is scored again (and snapshotted), but
    those of archived journeys (scored again when unarchived, and when feedback arrives)."""
    active = Touchpoint.objects.filter(journey__archived_at__isnull=True)
    scoring.mark_dirty(active.values_list("id", flat=True))
    return rescored(scoring.rescore_dirty())


def rescored(count: int) -> int:
    """After a rescore: the journeys it touched find their customers at risk again."""
    if count:
        publishing.publish(refresh_at_risk_task)
    return count


@shared_task(**RETRY)
def refresh_at_risk_task() -> int:
    return at_risk.at_risk_refresh_stale()


@shared_task(**RETRY)
def score_sentiment_task() -> int:
    scored = sentiment.score_pending_sentiment()
    if scored:
        publishing.schedule_rescore()
    return scored


class ImportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # import_run fails the job itself unless even that could not be recorded (the database
        # was gone); once the retries are spent too, the job must not be left running.
        imports.import_abandon(args[0], reason=f"{type(exc).__name__}: {exc}")


@shared_task(base=ImportTask, **RETRY)
def import_feedback_task(job_id: str) -> None:
    imports.import_run(job_id)


@shared_task(**RETRY)
def sweep_imports_task() -> int:
    """Beat: imports whose publish or worker was lost are published again."""
    jobs = imports.imports_to_resume()
    for job_id in jobs:
        publishing.publish(import_feedback_task, str(job_id))
    return len(jobs)


@shared_task(**RETRY)
def analyze_if_grown_task(added: int) -> bool:
    return ingestion.analyze_if_grown(added=added)
