"""Services that hang: after a failure, calls to the same service are skipped for a while, so a
frozen Redis costs one timeout per pause per process, not one per request. What the calls would
do is recorded in the database first (dirty touchpoints, queued jobs) and swept once it is back."""

import logging
import time

log = logging.getLogger(__name__)


class Breaker:
    def __init__(self, service: str, pause: float = 10.0):
        self.service = service
        self.pause = pause
        self.open_until = 0.0

    def call(self, function, *args, default=None, **kwargs):
        """function(*args, **kwargs), or `default` when it fails or failed within the pause."""
        if time.monotonic() < self.open_until:
            return default
        try:
            return function(*args, **kwargs)
        except Exception:
            self.open_until = time.monotonic() + self.pause
            log.warning("%s unreachable; not called again for %.0f s.", self.service, self.pause)
            return default


cache_breaker = Breaker("The cache")
broker_breaker = Breaker("The broker")
