"""Thin Celery tasks over delivery and email. Idempotent: deliveries and follows live in the
database and are claimed before any work, so a task run twice does no harm. Deliveries go to
their own queue (`deliveries`), which every worker consumes unless told otherwise, so a worker
can be set apart for slow receivers."""

from celery import shared_task

from alerts import delivery, email

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def deliver_pending_task() -> int:
    """Every due delivery; published after events commit, and beat's sweep."""
    return delivery.deliver_pending()


@shared_task(**RETRY)
def deliver_task(delivery_id: int) -> bool:
    """One delivery: a ping, or a retry whose time has come."""
    return delivery.deliver(delivery_id)


@shared_task(**RETRY)
def email_followers_task() -> int:
    return email.email_followers()
