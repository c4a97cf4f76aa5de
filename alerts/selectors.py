"""Read-side queries and presentation of events, for the pages, the API and the emails."""

from alerts.models import SUBSCRIBABLE, Event, EventType, Follow
from journeys.models import BAND_LABELS, Journey
from moments.models import MOMENT_SHORT_LABELS

EVENT_LABELS = dict(EventType.choices)


def journey_events(journey: Journey, *, type: str = ""):
    events = Event.objects.filter(journey=journey, type__in=SUBSCRIBABLE)
    if type:
        events = events.filter(type=type)
    return events.order_by("-id")


def event_rows(events) -> list[dict]:
    """What a list or an email shows of each event, labels translated in the active language."""
    rows = []
    for event in events:
        data = event.data
        rows.append(
            {
                "id": event.pk,
                "type": event.type,
                "type_label": EVENT_LABELS.get(event.type, event.type),
                "created_at": event.created_at,
                "journey": data.get("journey"),
                "touchpoint": data.get("touchpoint"),
                "moments": [MOMENT_SHORT_LABELS.get(m, m) for m in data.get("moments", [])],
                "from": data.get("from"),
                "to": data.get("to"),
                "from_label": BAND_LABELS.get(data.get("from"), ""),
                "to_label": BAND_LABELS.get(data.get("to"), ""),
                "score": data.get("score"),
                "customer_ref": data.get("customer_ref"),
                "negative_count": data.get("negative_count"),
                "touchpoints": data.get("touchpoints", []),
            }
        )
    return rows


def is_following(*, user, journey: Journey) -> bool:
    return Follow.objects.filter(user=user, journey=journey).exists()
