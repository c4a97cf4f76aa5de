"""GET journeys/{id}/history/: the audit trail of a journey and of its stages, touchpoints and
moments, newest first, whatever made the change (the API, the pages), deleted objects included."""

import pytest

from journeys.services import stage_update
from moments.models import Moment
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create


def history(client, journey, **query) -> list[dict]:
    journey_id = journey if isinstance(journey, str) else journey.pk
    response = client.get(f"/api/v1/journeys/{journey_id}/history/", query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def brief(events: list[dict]) -> list[tuple]:
    """(action, type, name) of each event, newest first."""
    return [(e["action"], e["object"]["type"], e["object"]["name"]) for e in events]


def since(client, journey, before: int) -> list[dict]:
    """The events recorded after the first `before` ones."""
    events = history(client, journey, page_size=500)
    return events[: len(events) - before]


def count(client, journey) -> int:
    return client.get(f"/api/v1/journeys/{journey.pk}/history/").json()["count"]


@pytest.fixture
def row(stages):
    """a, b, c in the purchase stage, in that order."""
    return [touchpoint_create(stage=stages[2], name=name, key=name.lower()) for name in "ABC"]


# Each action on each model, through the API


def test_a_new_journey_lists_itself_and_its_stages(api):
    body = {"name": "Onboarding", "persona": "New subscriber", "stages": [{"name": "Sign-up"}]}
    journey = api.post("/api/v1/journeys/", body, format="json").json()
    events = history(api, journey["id"])
    assert brief(events) == [
        ("created", "stage", "Sign-up"),
        ("created", "journey", "Onboarding"),
    ]
    created = events[1]
    assert set(created) == {"at", "actor", "action", "object", "changes"}
    assert created["actor"] == "alice"
    assert created["object"]["id"] == journey["id"]
    assert created["changes"] == {
        "name": [None, "Onboarding"],
        "persona": [None, "New subscriber"],
        "lanes": [None, [{"id": "channel"}, {"id": "pain_points"}, {"id": "opportunities"}]],
    }
    assert events[0]["changes"] == {
        "name": [None, "Sign-up"],
        "kind": [None, "custom"],
        "position": [None, 0],
    }


def test_a_journey_changed(api, journey):
    before = count(api, journey)
    body = {"name": "Buying online", "description": "From search to delivery"}
    assert api.patch(f"/api/v1/journeys/{journey.pk}/", body, format="json").status_code == 200
    [event] = since(api, journey, before)
    assert (event["action"], event["object"]["type"], event["actor"]) == (
        "changed",
        "journey",
        "alice",
    )
    assert event["changes"] == {
        "name": ["Online purchase", "Buying online"],
        "description": ["", "From search to delivery"],
    }


def test_a_deleted_journey_has_no_history_to_show(api, journey):
    assert api.delete(f"/api/v1/journeys/{journey.pk}/").status_code == 204
    assert api.get(f"/api/v1/journeys/{journey.pk}/history/").status_code == 404


def test_a_stage_created_changed_and_deleted(api, journey, stages):
    before = count(api, journey)
    body = {"name": "Onboarding", "kind": "custom", "position": 0}
    stage = api.post(f"/api/v1/journeys/{journey.pk}/stages/", body, format="json").json()
    response = api.patch(f"/api/v1/stages/{stage['id']}/", {"name": "Welcome"}, format="json")
    assert response.status_code == 200
    assert api.delete(f"/api/v1/stages/{stage['id']}/").status_code == 204

    events = since(api, journey, before)
    mine = [e for e in events if e["object"]["id"] == stage["id"]]
    assert [(e["action"], e["changes"]) for e in mine] == [
        ("deleted", {"name": ["Welcome", None], "kind": ["custom", None], "position": [0, None]}),
        ("changed", {"name": ["Onboarding", "Welcome"]}),
        (
            "created",
            {"name": [None, "Onboarding"], "kind": [None, "custom"], "position": [None, 0]},
        ),
    ]
    # Adding it first moved the six others right; deleting it moved them back.
    moved = [e for e in events if e["object"]["id"] != stage["id"]]
    assert len(moved) == 12
    assert {e["object"]["type"] for e in moved} == {"stage"}
    assert sorted(e["changes"]["position"] for e in moved[:6]) == [[i + 1, i] for i in range(6)]
    assert sorted(e["changes"]["position"] for e in moved[6:]) == [[i, i + 1] for i in range(6)]


def test_a_touchpoint_created_changed_and_deleted(api, journey, stages):
    before = count(api, journey)
    body = {"stage": str(stages[1].pk), "name": "Pricing page", "key": "pricing", "channel": "web"}
    touchpoint = api.post("/api/v1/touchpoints/", body, format="json").json()
    edit = {
        "name": "Plans",
        "description": "Plans and prices",
        "channel": "mobile_app",
        "owner": "Growth",
        "expected_emotion": 1,
        "pain_points": "Too many plans",
        "opportunities": "A calculator",
        "key": "plans",
    }
    url = f"/api/v1/touchpoints/{touchpoint['id']}/"
    assert api.patch(url, edit, format="json").status_code == 200
    assert api.delete(url).status_code == 204

    deleted, changed, created = since(api, journey, before)
    assert brief([created, changed, deleted]) == [
        ("created", "touchpoint", "Pricing page"),
        ("changed", "touchpoint", "Plans"),
        ("deleted", "touchpoint", "Plans"),
    ]
    assert created["changes"] == {
        "stage": [None, str(stages[1].pk)],
        "key": [None, "pricing"],
        "name": [None, "Pricing page"],
        "channel": [None, "web"],
        "position": [None, 0],
        "expected_emotion": [None, 0],
    }
    assert changed["changes"] == {
        "key": ["pricing", "plans"],
        "name": ["Pricing page", "Plans"],
        "description": ["", "Plans and prices"],
        "channel": ["web", "mobile_app"],
        "owner": ["", "Growth"],
        "expected_emotion": [0, 1],
        "pain_points": ["", "Too many plans"],
        "opportunities": ["", "A calculator"],
    }
    assert deleted["changes"]["name"] == ["Plans", None]
    assert {e["object"]["id"] for e in (created, changed, deleted)} == {touchpoint["id"]}


def test_a_moment_tagged_changed_and_removed(api_as, journey, touchpoint):
    analyst = api_as("analyst")
    before = count(analyst, journey)
    body = {"touchpoint": str(touchpoint.pk), "type": "fmot", "impact": 4}
    moment = analyst.post("/api/v1/moments/", body, format="json").json()
    url = f"/api/v1/moments/{moment['id']}/"
    edit = {"impact": 5, "rationale": "Where carts are abandoned"}
    assert analyst.patch(url, edit, format="json").status_code == 200
    assert analyst.delete(url).status_code == 204

    events = since(analyst, journey, before)
    assert brief(events) == [
        ("deleted", "moment", "FMOT at Checkout"),
        ("changed", "moment", "FMOT at Checkout"),
        ("created", "moment", "FMOT at Checkout"),
    ]
    assert [e["changes"] for e in events] == [
        {
            "type": ["fmot", None],
            "impact": [5, None],
            "rationale": ["Where carts are abandoned", None],
        },
        {"impact": [4, 5], "rationale": ["", "Where carts are abandoned"]},
        {"type": [None, "fmot"], "impact": [None, 4]},
    ]
    assert {e["actor"] for e in events} == {"token:analyst token"}


# Through the pages


def test_edits_on_the_map_page_are_listed(api, manager_client, journey, stages, touchpoint):
    before = count(api, journey)
    manager_client.post(f"/journeys/{journey.pk}/stages/add/", {"name": "Returns"})
    returns = journey.stages.get(name="Returns")
    manager_client.post(f"/stages/{returns.pk}/rename/", {"name": "Refunds"})
    manager_client.post(f"/stages/{returns.pk}/move/", {"position": 5})
    manager_client.post(
        f"/stages/{returns.pk}/touchpoints/add/", {"name": "Form", "channel": "web"}
    )
    form = Touchpoint.objects.get(name="Form")
    edit = {"name": "Refund form", "key": form.key, "channel": "web", "expected_emotion": "-1"}
    manager_client.post(f"/touchpoints/{form.pk}/edit/", edit)
    manager_client.post(f"/touchpoints/{touchpoint.pk}/move/", {"direction": "right"})
    manager_client.post(f"/touchpoints/{touchpoint.pk}/moments/", {"type": "smot", "impact": "2"})
    manager_client.post(f"/moments/{touchpoint.moments.get().pk}/delete/")
    manager_client.post(f"/touchpoints/{form.pk}/delete/")
    manager_client.post(f"/stages/{returns.pk}/delete/")

    events = since(api, journey, before)
    assert {e["actor"] for e in events} == {"alice"}
    mine = [e for e in events if e["object"]["id"] in {str(returns.pk), str(form.pk)}]
    assert brief(mine) == [
        ("deleted", "stage", "Refunds"),
        ("deleted", "touchpoint", "Refund form"),
        ("changed", "touchpoint", "Refund form"),
        ("created", "touchpoint", "Form"),
        ("changed", "stage", "Refunds"),
        ("changed", "stage", "Refunds"),
        ("created", "stage", "Returns"),
    ]
    assert mine[2]["changes"] == {"name": ["Form", "Refund form"], "expected_emotion": [0, -1]}
    assert mine[4]["changes"] == {"position": [6, 5]}
    checkout = [e for e in events if e["object"]["id"] == str(touchpoint.pk)]
    assert checkout[0]["changes"] == {"stage": [str(stages[2].pk), str(stages[3].pk)]}
    assert brief([e for e in events if e["object"]["type"] == "moment"]) == [
        ("deleted", "moment", "SMOT at Checkout"),
        ("created", "moment", "SMOT at Checkout"),
    ]


# Moves and deletions


def test_a_move_records_the_renumbered_siblings(api, journey, row):
    a, b, c = row
    before = count(api, journey)
    response = api.patch(f"/api/v1/touchpoints/{c.pk}/", {"position": 0}, format="json")
    assert response.status_code == 200
    events = since(api, journey, before)
    assert sorted((e["object"]["name"], e["changes"]["position"]) for e in events) == [
        ("A", [0, 1]),
        ("B", [1, 2]),
        ("C", [2, 0]),
    ]
    assert {e["action"] for e in events} == {"changed"}


def test_a_deleted_touchpoint_stays_listed_with_its_moments(api, journey, touchpoint, row):
    Moment.objects.create(touchpoint=touchpoint, type="fmot", impact=4)
    assert api.delete(f"/api/v1/touchpoints/{touchpoint.pk}/").status_code == 204
    assert not Touchpoint.objects.filter(pk=touchpoint.pk).exists()

    events = history(api, journey, page_size=500)
    listed = [e for e in events if e["object"]["name"] in ("Checkout", "FMOT at Checkout")]
    assert brief(listed) == [
        ("deleted", "touchpoint", "Checkout"),
        ("deleted", "moment", "FMOT at Checkout"),
        ("created", "moment", "FMOT at Checkout"),
        ("created", "touchpoint", "Checkout"),
    ]
    # Checkout was first in its stage: the others closed up.
    assert sorted(e["changes"]["position"] for e in events[:3]) == [[i + 1, i] for i in range(3)]


# Who


def test_a_token_caller_is_named_by_its_token(api_as, journey):
    manager = api_as("manager")
    url = f"/api/v1/journeys/{journey.pk}/"
    assert manager.patch(url, {"persona": "Buyer"}, format="json").status_code == 200
    assert history(manager, journey)[0]["actor"] == "token:manager token"


def test_changes_outside_a_request_have_no_actor(api, journey, stages):
    stage_update(stage=stages[0], name="Research")  # as a command or a worker would
    [event] = history(api, journey, page_size=1)
    assert (event["actor"], event["object"]["name"]) == (None, "Research")


# Who may read it


def test_viewers_read_it(viewer, api_as, journey):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(viewer)
    assert history(client, journey)
    assert history(api_as("viewer"), journey)


def test_another_workspace_s_journey_is_not_found(api, outsider_api, journey, foreign_journey):
    assert outsider_api.get(f"/api/v1/journeys/{journey.pk}/history/").status_code == 404
    assert api.get(f"/api/v1/journeys/{foreign_journey.pk}/history/").status_code == 404


def test_it_needs_authentication(journey):
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/journeys/{journey.pk}/history/").status_code == 401


# Pages of it


def test_it_paginates_newest_first(api, journey):
    body = api.get(f"/api/v1/journeys/{journey.pk}/history/", {"page_size": 4}).json()
    assert body["count"] == 7  # the journey and its six stages
    assert "page=2" in body["next"] and body["previous"] is None
    second = api.get(body["next"]).json()
    events = body["results"] + second["results"]
    assert [e["object"]["type"] for e in events] == ["stage"] * 6 + ["journey"]
    assert [e["object"]["name"] for e in events[:6]] == [
        "Recommendation",
        "Loyalty",
        "Experience",
        "Purchase",
        "Consideration",
        "Discovery",
    ]
    times = [e["at"] for e in events]
    assert times == sorted(times, reverse=True)


def test_it_reads_a_constant_number_of_queries(api, journey, stages, django_assert_num_queries):
    url = f"/api/v1/journeys/{journey.pk}/history/"
    # The session, its user, their roles, the journey; the count and the page.
    with django_assert_num_queries(6):
        assert len(api.get(url).json()["results"]) == 7

    for i in range(30):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"T{i}", key=f"t{i}")
        Moment.objects.create(touchpoint=touchpoint, type="zmot", impact=2)
        api.patch(f"/api/v1/touchpoints/{touchpoint.pk}/", {"name": f"U{i}"}, format="json")
    api.delete(f"/api/v1/touchpoints/{touchpoint.pk}/")
    with django_assert_num_queries(6):
        body = api.get(url, {"page_size": 500}).json()
    assert body["count"] == len(body["results"]) == 7 + 30 * 3 + 2
