import pytest

from journeys.services import journey_create
from moments.models import Moment
from tests.api.helpers import NO_HEALTH, TOUCHPOINT_FIELDS, keys_in, snapshot
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create


@pytest.fixture
def row(stages):
    """Three touchpoints a, b, c in the purchase stage, and x in the experience stage."""
    for key in "abc":
        touchpoint_create(stage=stages[2], name=key.upper(), key=key)
    touchpoint_create(stage=stages[3], name="X", key="x")
    return {tp.key: tp for tp in Touchpoint.objects.all()}


def test_it_lists_touchpoints(api, touchpoint, moment):
    response = api.get("/api/v1/touchpoints/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    item = body["results"][0]
    assert set(item) >= TOUCHPOINT_FIELDS
    assert item["moments"][0]["id"] == str(moment.id)


def test_it_paginates(api, fill):
    fill(5)
    body = api.get("/api/v1/touchpoints/?page_size=2").json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]
    last = api.get("/api/v1/touchpoints/?page_size=2&page=3").json()
    assert len(last["results"]) == 1
    assert last["next"] is None


def test_a_page_carries_its_count_without_a_count_query(api, fill):
    """The count rides along with the page's rows (config.pagination.CountedWithPage), also
    with a filter that joins moments (DISTINCT rows, counted by COUNT), and pages that do not
    exist are 404s as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill(7)
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/touchpoints/?page_size=3&page=2").json()
    assert (body["count"], len(body["results"])) == (7, 3)
    assert "page=3" in body["next"] and "page_size=3" in body["previous"]
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert api.get("/api/v1/touchpoints/?page_size=3&page=last").json()["count"] == 7
    tagged = api.get("/api/v1/touchpoints/?moment_type=smot&page_size=2").json()
    assert (tagged["count"], len(tagged["results"])) == (3, 2)
    for page in ("4", "0", "-1", "two", "1.5", "99999999999999999999", "9" * 4000):
        assert api.get(f"/api/v1/touchpoints/?page_size=3&page={page}").status_code == 404, page
    Touchpoint.objects.all().delete()
    empty = api.get("/api/v1/touchpoints/").json()
    assert (empty["count"], empty["results"], empty["next"]) == (0, [], None)


def test_it_creates_a_touchpoint(api, journey, stages):
    payload = {
        "stage": str(stages[1].id),
        "key": "pricing-page",
        "name": "Pricing page",
        "description": "Plans and prices",
        "channel": "web",
        "owner": "Growth team",
        "expected_emotion": 1,
        "pain_points": "Too many plans",
        "opportunities": "A calculator",
    }
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= TOUCHPOINT_FIELDS
    assert body == body | payload
    assert body["journey"] == str(journey.id)
    assert (body["position"], body["version"], body["moments"]) == (0, 1, [])
    assert body["health"] == NO_HEALTH
    assert Touchpoint.objects.get(pk=body["id"]).workspace.slug == "acme"


def test_it_makes_a_free_key_from_the_name(api, stages, touchpoint):
    payload = {"stage": str(stages[0].id), "name": "Checkout"}
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["key"] == "checkout-2"


def test_it_ignores_version_on_create(api, stages):
    payload = {"stage": str(stages[0].id), "name": "Ad", "version": 9}
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    "position, expected",
    [(0, ["new", "a", "b", "c"]), (1, ["a", "new", "b", "c"]), (None, ["a", "b", "c", "new"])],
)
def test_it_inserts_at_a_position_and_shifts_siblings(api, stages, row, position, expected):
    payload = {"stage": str(stages[2].id), "name": "New", "key": "new"}
    if position is not None:
        payload["position"] = position
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["position"] == expected.index("new")
    assert keys_in(stages[2]) == expected


def test_it_retrieves_a_touchpoint(api, touchpoint, stages, moment):
    response = api.get(f"/api/v1/touchpoints/{touchpoint.id}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= TOUCHPOINT_FIELDS
    assert (body["key"], body["stage"], body["channel"]) == ("checkout", str(stages[2].id), "web")
    assert body["moments"][0]["type"] == "fmot"


def test_it_patches_a_touchpoint_and_bumps_its_version(api, touchpoint):
    payload = {"name": "Pay", "channel": "mobile_app", "expected_emotion": -2, "owner": "Payments"}
    response = api.patch(f"/api/v1/touchpoints/{touchpoint.id}/", payload, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == response.json() | payload | {"version": 2}
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.channel, touchpoint.version) == ("Pay", "mobile_app", 2)


def test_it_patches_with_the_current_version(api, touchpoint):
    url = f"/api/v1/touchpoints/{touchpoint.id}/"
    response = api.patch(url, {"name": "Pay", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_it_refuses_a_stale_version(api, stages, row):
    url = f"/api/v1/touchpoints/{row['a'].id}/"
    api.patch(url, {"name": "A2"}, format="json")
    before = snapshot()
    payload = {"name": "Lost", "stage": str(stages[3].id), "position": 0, "version": 1}
    response = api.patch(url, payload, format="json")
    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert snapshot() == before


@pytest.mark.parametrize(
    "key, position, expected",
    [
        ("a", 2, ["b", "c", "a"]),
        ("c", 0, ["c", "a", "b"]),
        ("b", 99, ["a", "c", "b"]),
        ("b", 1, ["a", "b", "c"]),
    ],
)
def test_it_moves_within_a_stage(api, stages, row, key, position, expected):
    url = f"/api/v1/touchpoints/{row[key].id}/"
    response = api.patch(url, {"position": position}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["position"] == expected.index(key)
    assert keys_in(stages[2]) == expected
    assert keys_in(stages[3]) == ["x"]


@pytest.mark.parametrize(
    "position, expected", [(0, ["b", "x"]), (1, ["x", "b"]), (None, ["x", "b"])]
)
def test_it_moves_to_another_stage(api, stages, row, position, expected):
    payload = {"stage": str(stages[3].id)}
    if position is not None:
        payload["position"] = position
    response = api.patch(f"/api/v1/touchpoints/{row['b'].id}/", payload, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == str(stages[3].id)
    assert response.json()["position"] == expected.index("b")
    assert keys_in(stages[2]) == ["a", "c"]
    assert keys_in(stages[3]) == expected


def test_it_keeps_the_position_when_the_stage_is_unchanged(api, stages, row):
    payload = {"stage": str(stages[2].id), "name": "A2"}
    response = api.patch(f"/api/v1/touchpoints/{row['a'].id}/", payload, format="json")
    assert response.status_code == 200, response.content
    assert keys_in(stages[2]) == ["a", "b", "c"]


def test_it_does_not_move_to_another_journeys_stage(api, workspace, row):
    other = journey_create(workspace=workspace, name="Other").stages.first()
    before = snapshot()
    url = f"/api/v1/touchpoints/{row['a'].id}/"
    response = api.patch(url, {"stage": str(other.id)}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()
    assert snapshot() == before


def test_it_deletes_a_touchpoint_and_closes_the_gap(api, stages, row):
    Moment.objects.create(touchpoint=row["a"], type="zmot")
    response = api.delete(f"/api/v1/touchpoints/{row['a'].id}/")
    assert response.status_code == 204
    assert keys_in(stages[2]) == ["b", "c"]
    assert not Moment.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "T"}, "stage"),
        ({"stage": "00000000-0000-0000-0000-000000000000", "name": "T"}, "stage"),
        ({"stage": "not-a-uuid", "name": "T"}, "stage"),
        ({"stage": "{stage}"}, "name"),
        ({"stage": "{stage}", "name": ["T"]}, "name"),
        ({"stage": "{stage}", "name": "T", "key": "checkout"}, "key"),
        ({"stage": "{stage}", "name": "T", "key": "not a slug!"}, "key"),
        ({"stage": "{stage}", "name": "T", "channel": "telepathy"}, "channel"),
        ({"stage": "{stage}", "name": "T", "expected_emotion": 5}, "expected_emotion"),
        ({"stage": "{stage}", "name": "T", "expected_emotion": -3}, "expected_emotion"),
        ({"stage": "{stage}", "name": "T", "expected_emotion": "happy"}, "expected_emotion"),
        ({"stage": "{stage}", "name": "T", "position": -1}, "position"),
        ({"stage": "{stage}", "name": "T", "position": "top"}, "position"),
    ],
)
def test_it_validates_a_new_touchpoint(api, stages, touchpoint, payload, field):
    payload = {k: v.format(stage=stages[0].id) if k == "stage" else v for k, v in payload.items()}
    before = snapshot()
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"key": "a"}, "key"),
        ({"name": ""}, "name"),
        ({"channel": "telepathy"}, "channel"),
        ({"expected_emotion": 5}, "expected_emotion"),
        ({"stage": "00000000-0000-0000-0000-000000000000"}, "stage"),
        ({"position": "last"}, "position"),
        ({"version": "latest"}, "version"),
    ],
)
def test_it_validates_a_patch(api, row, payload, field):
    before = snapshot()
    response = api.patch(f"/api/v1/touchpoints/{row['b'].id}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_it_allows_a_key_used_in_another_workspace(api, stages, foreign_touchpoint):
    payload = {"stage": str(stages[0].id), "name": "T", "key": foreign_touchpoint.key}
    response = api.post("/api/v1/touchpoints/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["key"] == "theirs"


def test_it_answers_400_to_malformed_json(api, touchpoint):
    before = snapshot()
    response = api.post("/api/v1/touchpoints/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert snapshot() == before


def filtered(api, query: str) -> list[str]:
    response = api.get(f"/api/v1/touchpoints/?{query}")
    assert response.status_code == 200, response.content
    return sorted(item["key"] for item in response.json()["results"])


def test_it_filters_touchpoints(api, workspace, journey, stages, row):
    other = journey_create(workspace=workspace, name="Other").stages.first()
    touchpoint_create(stage=other, name="Y", key="y", channel="email")
    Touchpoint.objects.filter(key="a").update(channel="phone", health_band="critical")
    Moment.objects.create(touchpoint=row["b"], type="zmot")
    Moment.objects.create(touchpoint=row["b"], type="fmot")
    assert filtered(api, f"journey={journey.id}") == ["a", "b", "c", "x"]
    assert filtered(api, f"journey={other.journey_id}") == ["y"]
    assert filtered(api, f"stage={stages[3].id}") == ["x"]
    assert filtered(api, "channel=phone") == ["a"]
    assert filtered(api, "channel=email&journey=" + str(journey.id)) == []
    assert filtered(api, "moment_type=zmot") == ["b"]
    assert filtered(api, "moment_type=tmot") == []
    assert filtered(api, "band=critical") == ["a"]
    assert filtered(api, "band=no_data") == ["b", "c", "x", "y"]


@pytest.mark.parametrize(
    "query",
    ["channel=telepathy", "moment_type=tenth", "band=great", "journey=42", "stage=nope"],
)
def test_it_rejects_unknown_filter_values(api, touchpoint, query):
    response = api.get(f"/api/v1/touchpoints/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_it_lists_with_a_fixed_number_of_queries(api, fill, django_assert_num_queries):
    # The session and the caller's roles, then the page with its count, and its moments: the
    # same 5 at 3 and at 30 touchpoints.
    for size in (3, 27):
        fill(size)
        with django_assert_num_queries(5):
            response = api.get("/api/v1/touchpoints/")
        assert response.status_code == 200
    assert response.json()["count"] == 30


def test_lists_and_maps_read_what_the_serializer_writes(api, journey, fill):
    """Lists and maps build touchpoints from values for speed; they must not drift from the
    serializer that the detail view, POST and PATCH answer with."""
    fill(4)
    Touchpoint.objects.update(health_score=71.5, health_band="healthy", health_n=12)
    listed = api.get(f"/api/v1/touchpoints/?journey={journey.pk}").json()["results"]
    mapped = api.get(f"/api/v1/journeys/{journey.pk}/map/").json()["stages"]
    in_map = {tp["id"]: tp for stage in mapped for tp in stage["touchpoints"]}

    for item in listed:
        detail = api.get(f"/api/v1/touchpoints/{item['id']}/").json()
        assert item == detail
        assert in_map[item["id"]] == detail
    assert any(item["moments"] for item in listed)
