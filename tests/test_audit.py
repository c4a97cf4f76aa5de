"""The audit trail's recording (workspaces/audit.py): triggers record what people edit, never the
health a rescore writes, with the actor of the request that made the change, and none outside
one. What it lists is tested through the history API (tests/api/test_history.py)."""

from journeys.models import JourneyEvent, StageEvent
from journeys.services import journey_update
from moments.models import MomentEvent
from touchpoints.models import Touchpoint, TouchpointEvent
from touchpoints.services import touchpoint_update

EVENT_MODELS = [JourneyEvent, StageEvent, TouchpointEvent, MomentEvent]


def events() -> int:
    return sum(model.objects.count() for model in EVENT_MODELS)


def last_actor(model) -> str | None:
    return model.objects.order_by("-pgh_id").values_list("pgh_context__actor", flat=True)[0]


def test_a_rescore_records_no_event(api, api_as, journey, touchpoint, moment):
    from feedback.scoring import rescore_dirty

    before = events()
    feedback = [
        {"touchpoint_key": "checkout", "occurred_at": "2026-11-20T10:00:00Z", "nps": nps}
        for nps in (9, 10, 3, 8, 10)
    ]
    assert api_as("analyst").post("/api/v1/feedback/", feedback, format="json").status_code == 202
    assert rescore_dirty() == 1  # as the worker does after feedback
    assert api.post(f"/api/v1/journeys/{journey.pk}/rescore/").status_code == 202
    assert rescore_dirty() == 1

    touchpoint.refresh_from_db()
    journey.refresh_from_db()
    assert touchpoint.health_score is not None and journey.health_score is not None
    assert events() == before


def test_changes_in_a_request_name_its_caller(api, api_as, manager_client, journey, touchpoint):
    assert (
        api.patch(
            f"/api/v1/journeys/{journey.pk}/", {"name": "By session"}, format="json"
        ).status_code
        == 200
    )
    assert last_actor(JourneyEvent) == "alice"

    token = api_as("manager")
    assert (
        token.patch(
            f"/api/v1/journeys/{journey.pk}/", {"name": "By token"}, format="json"
        ).status_code
        == 200
    )
    assert last_actor(JourneyEvent) == "token:manager token"

    edit = {"name": "By page", "key": "checkout", "channel": "web", "expected_emotion": "0"}
    manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", edit)
    assert Touchpoint.objects.get(pk=touchpoint.pk).name == "By page"
    assert last_actor(TouchpointEvent) == "alice"


def test_changes_outside_a_request_have_no_actor(api, journey):
    assert (
        api.patch(
            f"/api/v1/journeys/{journey.pk}/", {"name": "By alice"}, format="json"
        ).status_code
        == 200
    )
    journey_update(journey=journey, name="By a worker")  # in the same transaction, after it
    assert last_actor(JourneyEvent) is None


def test_an_edit_of_nothing_people_edit_records_nothing(api, touchpoint):
    before = events()
    response = api.patch(f"/api/v1/touchpoints/{touchpoint.pk}/", {"version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    touchpoint_update(touchpoint=touchpoint, name=touchpoint.name)
    assert events() == before
