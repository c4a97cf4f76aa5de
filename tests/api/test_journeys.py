import pytest

from journeys.models import Journey, Stage
from tests.api.helpers import JOURNEY_FIELDS, NO_HEALTH, snapshot
from touchpoints.models import Touchpoint
from workspaces.models import Membership, Role


def test_it_creates_a_journey_with_the_six_classic_stages(api, workspace):
    response = api.post(
        "/api/v1/journeys/", {"name": "Onboarding", "persona": "New user"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["workspace"] == "acme"
    assert body["version"] == 1
    assert body["health"] == {"score": None, "band": "no_data", "n": 0}
    journey = Journey.objects.get(pk=body["id"])
    assert [s.kind for s in journey.stages.order_by("position")] == [
        "discovery",
        "consideration",
        "purchase",
        "experience",
        "loyalty",
        "recommendation",
    ]


def test_it_creates_a_journey_with_custom_stages(api):
    stages = [{"name": "Hear of us", "kind": "discovery"}, {"name": "Sign up"}]
    response = api.post("/api/v1/journeys/", {"name": "Trial", "stages": stages}, format="json")
    assert response.status_code == 201, response.content
    assert "stages" not in response.json()
    journey = Journey.objects.get(pk=response.json()["id"])
    rows = journey.stages.order_by("position").values_list("position", "name", "kind")
    assert list(rows) == [(0, "Hear of us", "discovery"), (1, "Sign up", "custom")]


def test_it_ignores_version_on_create(api):
    response = api.post("/api/v1/journeys/", {"name": "Trial", "version": 7}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1


def test_it_creates_in_the_named_workspace(api, owner, other_workspace):
    Membership.objects.create(user=owner, workspace=other_workspace, role=Role.MANAGER)
    response = api.post("/api/v1/journeys/", {"name": "J"}, format="json")
    assert response.status_code == 400
    assert "workspace" in response.json()
    response = api.post("/api/v1/journeys/", {"name": "J", "workspace": "globex"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["workspace"] == "globex"


def test_it_lists_journeys(api, journey):
    response = api.get("/api/v1/journeys/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert set(body["results"][0]) >= JOURNEY_FIELDS
    assert body["results"][0]["id"] == str(journey.id)


def test_it_retrieves_a_journey(api, journey):
    response = api.get(f"/api/v1/journeys/{journey.id}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= JOURNEY_FIELDS
    assert body["id"] == str(journey.id)
    assert body["workspace"] == "acme"
    assert body["name"] == "Online purchase"
    assert body["persona"] == "Shopper"
    assert body["version"] == 1
    assert body["health"] == NO_HEALTH


def test_it_patches_a_journey_and_bumps_its_version(api, journey):
    response = api.patch(
        f"/api/v1/journeys/{journey.id}/", {"name": "Renamed", "persona": "Buyer"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["version"] == 2
    journey.refresh_from_db()
    assert (journey.name, journey.persona, journey.version) == ("Renamed", "Buyer", 2)


def test_it_patches_with_the_current_version(api, journey):
    url = f"/api/v1/journeys/{journey.id}/"
    response = api.patch(url, {"name": "Renamed", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_it_refuses_a_stale_version(api, journey):
    url = f"/api/v1/journeys/{journey.id}/"
    api.patch(url, {"description": "first edit"}, format="json")
    before = snapshot()
    response = api.patch(url, {"name": "Lost update", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert snapshot() == before


def test_it_deletes_a_journey_with_its_stages_and_touchpoints(api, journey, touchpoint):
    response = api.delete(f"/api/v1/journeys/{journey.id}/")
    assert response.status_code == 204
    assert not Journey.objects.filter(pk=journey.pk).exists()
    assert not Stage.objects.filter(journey_id=journey.pk).exists()
    assert not Touchpoint.objects.filter(pk=touchpoint.pk).exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ["not", "text"]}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"version": "one"}, "version"),
        ({"version": 0}, "version"),
        ({"workspace": "globex"}, "workspace"),
        ({"stages": [{"name": "Extra"}]}, "stages"),
    ],
)
def test_it_validates_a_patch(api, journey, other_workspace, payload, field):
    before = snapshot()
    response = api.patch(f"/api/v1/journeys/{journey.id}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": {"a": 1}}, "name"),
        ({"name": "J", "stages": "discovery"}, "stages"),
        ({"name": "J", "stages": [{"kind": "discovery"}]}, "stages"),
        ({"name": "J", "stages": [{"name": "S", "kind": "nirvana"}]}, "stages"),
        ({"name": "J", "workspace": "nowhere"}, "workspace"),
    ],
)
def test_it_validates_a_create(api, journey, payload, field):
    before = snapshot()
    response = api.post("/api/v1/journeys/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_it_answers_400_to_malformed_json(api, journey):
    before = snapshot()
    response = api.patch(
        f"/api/v1/journeys/{journey.id}/", '{"name": "x",', content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("slug", ["ac\x00me", ["acme"], {"slug": "acme"}, 7])
def test_a_workspace_that_cannot_be_a_slug_is_a_400(api, slug):
    response = api.post("/api/v1/journeys/", {"name": "X", "workspace": slug}, format="json")
    assert response.status_code == 400
    assert "workspace" in response.json()


def test_format_suffix_routes_do_not_exist(api, journey):
    for path in (f"/api/v1/journeys/{journey.pk}/map.json", "/api/v1/journeys.json"):
        assert api.get(path).status_code == 404
    assert api.get(f"/api/v1/journeys/{journey.pk}/map/?format=json").status_code == 200
