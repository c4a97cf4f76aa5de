"""Hand-made feedback for the health tests, stored through the real ingestion path (so the real
rollups are what scoring reads) at times relative to a frozen "now".

"Now" is frozen at noon, ten days in the past: the UTC-day window boundaries are then exact and
never flaky around midnight, and feedback dated after the frozen "now" (the day after the window)
is still accepted by the ingestion, which only refuses the real future."""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from feedback.ingestion import feedback_ingest
from workspaces.models import Workspace

TODAY = datetime.now(UTC).date() - timedelta(days=10)
NOW = datetime.combine(TODAY, time(12), tzinfo=UTC)


def freeze_now(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    """An ISO-8601 timestamp in UTC, on `day`."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=UTC).isoformat()


def days_ago(days: int, hour: int = 10) -> str:
    return at(TODAY - timedelta(days=days), hour)


def ingest(workspace: Workspace, items: list[dict], **common) -> None:
    """Stores every item, each with `common` fields and (unless given) occurred_at one hour ago."""
    items = [{"occurred_at": (NOW - timedelta(hours=1)).isoformat(), **common, **i} for i in items]
    result = feedback_ingest(workspace=workspace, items=items)
    assert result.rejected == []
    assert result.accepted == len(items)


def each(field: str, values: list) -> list[dict]:
    """[{field: v} for v in values]: one feedback item per value."""
    return [{field: value} for value in values]
