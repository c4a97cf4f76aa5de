import pytest

from journeys.models import Stage
from tests.api.helpers import NO_HEALTH, STAGE_FIELDS, snapshot, stage_names
from touchpoints.models import Touchpoint

CLASSIC = ["Discovery", "Consideration", "Purchase", "Experience", "Loyalty", "Recommendation"]


def test_it_lists_a_journeys_stages_in_order(api, journey, stages):
    response = api.get(f"/api/v1/journeys/{journey.id}/stages/")
    assert response.status_code == 200
    body = response.json()["results"]
    assert response.json()["count"] == 6
    assert [s["name"] for s in body] == CLASSIC
    assert [s["position"] for s in body] == list(range(6))
    assert set(body[0]) >= STAGE_FIELDS
    assert body[0]["id"] == str(stages[0].id)
    assert body[0]["journey"] == str(journey.id)
    assert body[0]["kind"] == "discovery"
    assert body[0]["health"] == NO_HEALTH


def test_it_appends_a_custom_stage(api, journey):
    response = api.post(
        f"/api/v1/journeys/{journey.id}/stages/", {"name": "Renewal"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= STAGE_FIELDS
    assert (body["kind"], body["position"], body["journey"]) == ("custom", 6, str(journey.id))
    assert stage_names(journey) == [*CLASSIC, "Renewal"]


def test_it_inserts_a_stage_at_a_position(api, journey):
    url = f"/api/v1/journeys/{journey.id}/stages/"
    response = api.post(url, {"name": "Trial", "kind": "custom", "position": 2}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["position"] == 2
    assert stage_names(journey) == ["Discovery", "Consideration", "Trial", *CLASSIC[2:]]


def test_it_retrieves_a_stage(api, stages):
    response = api.get(f"/api/v1/stages/{stages[1].id}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Consideration"


def test_it_renames_a_stage(api, journey, stages):
    response = api.patch(f"/api/v1/stages/{stages[1].id}/", {"name": "Research"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Research"
    assert response.json()["position"] == 1
    assert stage_names(journey)[1] == "Research"


@pytest.mark.parametrize(
    "index, position, expected",
    [
        (
            0,
            3,
            ["Consideration", "Purchase", "Experience", "Discovery", "Loyalty", "Recommendation"],
        ),
        (
            4,
            1,
            ["Discovery", "Loyalty", "Consideration", "Purchase", "Experience", "Recommendation"],
        ),
        (1, 99, ["Discovery", *CLASSIC[2:], "Consideration"]),
        (2, 2, CLASSIC),
    ],
)
def test_it_reorders_stages(api, journey, stages, index, position, expected):
    url = f"/api/v1/stages/{stages[index].id}/"
    response = api.patch(url, {"position": position}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["position"] == expected.index(CLASSIC[index])
    assert stage_names(journey) == expected


def test_it_deletes_a_stage_with_its_touchpoints_and_closes_the_gap(
    api, journey, stages, touchpoint
):
    response = api.delete(f"/api/v1/stages/{stages[2].id}/")
    assert response.status_code == 204
    assert not Stage.objects.filter(pk=stages[2].pk).exists()
    assert not Touchpoint.objects.filter(pk=touchpoint.pk).exists()
    assert stage_names(journey) == ["Discovery", "Consideration", *CLASSIC[3:]]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "S", "kind": "nirvana"}, "kind"),
        ({"name": "S", "position": -1}, "position"),
        ({"name": "S", "position": "first"}, "position"),
    ],
)
def test_it_validates_a_new_stage(api, journey, payload, field):
    before = snapshot()
    response = api.post(f"/api/v1/journeys/{journey.id}/stages/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ""}, "name"),
        ({"kind": "nirvana"}, "kind"),
        ({"position": -1}, "position"),
        ({"position": [1]}, "position"),
    ],
)
def test_it_validates_a_stage_patch(api, stages, payload, field):
    before = snapshot()
    response = api.patch(f"/api/v1/stages/{stages[0].id}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_it_does_not_move_a_stage_to_another_journey(api, journey, stages, foreign_journey):
    url = f"/api/v1/stages/{stages[0].id}/"
    response = api.patch(url, {"journey": str(foreign_journey.id)}, format="json")
    assert response.status_code == 200
    stages[0].refresh_from_db()
    assert stages[0].journey_id == journey.id
