"""GET /api/v1/events/: the caller's workspaces only, newest first by cursor, filtered by type,
journey and time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Event
from journeys.services import journey_create


def event(journey, type_: str, *, hours_ago: float = 0, **data) -> Event:
    return Event.objects.create(
        workspace_id=journey.workspace_id,
        journey=journey,
        type=type_,
        created_at=timezone.now() - timedelta(hours=hours_ago),
        data={"journey": {"id": str(journey.pk), "name": journey.name}, **data},
    )


@pytest.fixture
def events(journey, foreign_journey):
    support = journey_create(workspace=journey.workspace, name="Support")
    return {
        "old": event(journey, "journey.band_changed", hours_ago=48, to="at_risk"),
        "critical": event(journey, "moment.critical", hours_ago=2, to="critical"),
        "customer": event(support, "customer.at_risk", hours_ago=1, customer_ref="ana"),
        "foreign": event(foreign_journey, "moment.critical", to="critical"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_it_lists_the_workspace_events_newest_first(api_as, events, journey):
    response = api_as("viewer").get("/api/v1/events/")
    assert ids(response) == [events[k].pk for k in ("customer", "critical", "old")]
    first = response.json()["results"][1]
    assert set(first) == {"id", "type", "created_at", "workspace", "journey", "data"}
    assert (first["type"], first["workspace"], first["journey"]) == (
        "moment.critical",
        "acme",
        str(journey.pk),
    )
    assert first["data"]["to"] == "critical"


def test_another_workspace_events_are_invisible(api, outsider_api, events):
    assert events["foreign"].pk not in ids(api.get("/api/v1/events/"))
    assert ids(outsider_api.get("/api/v1/events/")) == [events["foreign"].pk]
    assert api.get(f"/api/v1/events/{events['foreign'].pk}/").status_code == 404


def test_it_filters_by_type_journey_and_time(api, events, journey):
    assert ids(api.get("/api/v1/events/?type=moment.critical")) == [events["critical"].pk]
    assert ids(api.get(f"/api/v1/events/?journey={journey.pk}")) == [
        events["critical"].pk,
        events["old"].pk,
    ]
    since = (timezone.now() - timedelta(hours=3)).isoformat()
    assert ids(api.get("/api/v1/events/", {"since": since})) == [
        events["customer"].pk,
        events["critical"].pk,
    ]
    assert api.get("/api/v1/events/?type=nonsense").status_code == 400
    assert api.get("/api/v1/events/?since=yesterday").status_code == 400


def test_pings_are_not_events_of_the_workspace(api, journey):
    Event.objects.create(
        workspace_id=journey.workspace_id, type="ping", created_at=timezone.now(), data={}
    )
    assert ids(api.get("/api/v1/events/")) == []


def test_it_pages_by_cursor(api, journey):
    for hours in range(5):
        event(journey, "journey.band_changed", hours_ago=hours)
    page = api.get("/api/v1/events/?page_size=2").json()
    assert (page["count"], len(page["results"])) == (None, 2)
    second = api.get(page["next"]).json()
    assert len(second["results"]) == 2
    assert second["results"][0]["id"] < page["results"][-1]["id"]
