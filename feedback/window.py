"""The scoring window, the one definition every score, chart and at-risk count reads."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Window:
    """The days whose feedback counts, first and last included, and the same as times."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the window."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, UTC)


def window_bounds(window_days: int, as_of: date | None = None) -> Window:
    """The scoring window of docs/health.md, (now − W days, now] in whole UTC days as the
    daily rollups hold them: the last `window_days` days, today included. Scores, histories,
    distributions and customers at risk all read this one window."""
    last_day = as_of or timezone.now().date()
    return Window(first_day=last_day - timedelta(days=window_days - 1), last_day=last_day)
