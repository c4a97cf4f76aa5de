import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("truthmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_sentiment_models(sender, **kwargs) -> None:
    """A worker that scores sentiment loads its models as it starts (a second of CPU), not in
    its first task, where work queued behind that task waited for them."""
    if "sentiment" in sender.app.amqp.queues.consume_from:
        from feedback.sentiment import comment_sentiment

        comment_sentiment("Loaded.")
