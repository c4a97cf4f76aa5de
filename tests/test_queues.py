"""Each kind of work lands on its own queue of the real broker, so a worker per queue (make run,
docker-compose.yml) keeps an import from waiting behind sentiment scoring."""

import os
from inspect import signature
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings

from alerts import tasks as alert_tasks
from feedback import publishing
from feedback import tasks as feedback_tasks
from tests.processes import reset_broker

QUEUE_OF = {
    feedback_tasks.rescore_dirty_task: "scoring",
    feedback_tasks.rescore_all_task: "scoring",
    feedback_tasks.refresh_at_risk_task: "scoring",
    feedback_tasks.import_feedback_task: "imports",
    feedback_tasks.sweep_imports_task: "imports",
    feedback_tasks.analyze_if_grown_task: "imports",
    feedback_tasks.score_sentiment_task: "sentiment",
    alert_tasks.deliver_pending_task: "deliveries",
    alert_tasks.deliver_task: "deliveries",
    alert_tasks.email_followers_task: "deliveries",
}


def test_every_task_is_listed_here():
    from config.celery import app

    ours = {name for name in app.tasks if name.split(".")[0] in ("feedback", "alerts")}
    assert ours == {task.name for task in QUEUE_OF}


@pytest.mark.parametrize("task", QUEUE_OF, ids=lambda task: task.name)
def test_a_task_is_published_to_its_queue(task):
    reset_broker()
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    arguments = {"job_id": "0", "added": 1, "delivery_id": 1}
    assert publishing.publish(task, *[arguments[name] for name in signature(task.run).parameters])
    lengths = {queue: broker.llen(queue) for queue in settings.CELERY_TASK_QUEUES}
    assert lengths == {queue: int(queue == QUEUE_OF[task]) for queue in lengths}
    reset_broker()


def test_the_beat_schedule_names_only_known_tasks():
    names = {task.name for task in QUEUE_OF}
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= names


@pytest.mark.parametrize(
    ("queues", "loaded"),
    [(["scoring", "imports"], False), (["scoring", "sentiment"], True), (None, True)],
    ids=["-Q scoring,imports", "-Q scoring,sentiment", "every queue"],
)
def test_a_worker_that_scores_sentiment_loads_its_models_as_it_starts(queues, loaded):
    from config.celery import app, load_sentiment_models
    from feedback import sentiment

    worker_queues = app.amqp.Queues(app.amqp.queues.values())  # what a worker's -Q selects from
    if queues:
        worker_queues.select(queues)
    sentiment._analyzer.cache_clear()
    load_sentiment_models(
        sender=SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=worker_queues)))
    )
    assert (sentiment._analyzer.cache_info().currsize == 1) is loaded
