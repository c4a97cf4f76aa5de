"""Two workspaces: nothing of the other one can be seen, changed or referenced."""

import uuid
from types import SimpleNamespace

import pytest

from tests.api.helpers import snapshot

# (method, url, payload)
DETAILS = [
    ("get", "/api/v1/journeys/{journey.id}/", None),
    ("patch", "/api/v1/journeys/{journey.id}/", {"name": "Hijacked"}),
    ("delete", "/api/v1/journeys/{journey.id}/", None),
    ("get", "/api/v1/journeys/{journey.id}/map/", None),
    ("get", "/api/v1/journeys/{journey.id}/stages/", None),
    ("post", "/api/v1/journeys/{journey.id}/stages/", {"name": "Planted"}),
    ("get", "/api/v1/stages/{stage.id}/", None),
    ("patch", "/api/v1/stages/{stage.id}/", {"name": "Hijacked", "position": 3}),
    ("delete", "/api/v1/stages/{stage.id}/", None),
    ("get", "/api/v1/touchpoints/{touchpoint.id}/", None),
    ("patch", "/api/v1/touchpoints/{touchpoint.id}/", {"name": "Hijacked", "position": 0}),
    ("delete", "/api/v1/touchpoints/{touchpoint.id}/", None),
    ("get", "/api/v1/moments/{moment.id}/", None),
    ("patch", "/api/v1/moments/{moment.id}/", {"impact": 5}),
    ("delete", "/api/v1/moments/{moment.id}/", None),
]
DETAIL_IDS = [f"{method} {url}" for method, url, _ in DETAILS]


@pytest.fixture(params=["session", "manager", "viewer"])
def caller(request, api, api_as):
    """The owner's side: signed in, or with a token of the workspace (a 404 is never a 403)."""
    return api if request.param == "session" else api_as(request.param)


@pytest.fixture(params=["session", "manager"])
def writer(request, api, api_as):
    return api if request.param == "session" else api_as(request.param)


def send(client, objs, method, url, payload):
    url = url.format(**vars(objs))
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


@pytest.mark.parametrize("method, url, payload", DETAILS, ids=DETAIL_IDS)
def test_it_hides_foreign_objects(caller, objs, foreign, method, url, payload):
    before = snapshot()
    response = send(caller, foreign, method, url, payload)
    assert response.status_code == 404, response.content
    assert "detail" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("method, url, payload", DETAILS, ids=DETAIL_IDS)
def test_it_answers_a_foreign_id_like_a_missing_one(api, foreign, method, url, payload):
    missing = SimpleNamespace(**{name: SimpleNamespace(id=uuid.uuid4()) for name in vars(foreign)})
    foreign_response = send(api, foreign, method, url, payload)
    missing_response = send(api, missing, method, url, payload)
    assert foreign_response.status_code == missing_response.status_code == 404
    assert foreign_response.json() == missing_response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/journeys/",
        "/api/v1/touchpoints/",
        "/api/v1/touchpoints/?journey={journey.id}",
        "/api/v1/touchpoints/?stage={stage.id}",
        "/api/v1/moments/",
        "/api/v1/moments/?journey={journey.id}",
        "/api/v1/moments/?touchpoint={touchpoint.id}",
    ],
)
def test_it_lists_no_foreign_objects(caller, foreign, url):
    response = caller.get(url.format(**vars(foreign)))
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_it_lists_only_the_callers_objects(caller, objs, foreign):
    assert [j["id"] for j in caller.get("/api/v1/journeys/").json()["results"]] == [
        str(objs.journey.id)
    ]
    assert [t["id"] for t in caller.get("/api/v1/touchpoints/").json()["results"]] == [
        str(objs.touchpoint.id)
    ]
    assert [m["id"] for m in caller.get("/api/v1/moments/").json()["results"]] == [
        str(objs.moment.id)
    ]


@pytest.mark.parametrize(
    "method, url, payload, field",
    [
        ("post", "/api/v1/touchpoints/", {"stage": "{f.stage.id}", "name": "Planted"}, "stage"),
        (
            "post",
            "/api/v1/moments/",
            {"touchpoint": "{f.touchpoint.id}", "type": "tmot"},
            "touchpoint",
        ),
        ("post", "/api/v1/journeys/", {"name": "Planted", "workspace": "globex"}, "workspace"),
        ("patch", "/api/v1/touchpoints/{o.touchpoint.id}/", {"stage": "{f.stage.id}"}, "stage"),
        (
            "patch",
            "/api/v1/moments/{o.moment.id}/",
            {"touchpoint": "{f.touchpoint.id}"},
            "touchpoint",
        ),
    ],
)
def test_it_refuses_references_to_foreign_objects(
    writer, objs, foreign, method, url, payload, field
):
    payload = {k: v.format(o=objs, f=foreign) for k, v in payload.items()}
    before = snapshot()
    response = getattr(writer, method)(url.format(o=objs), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def test_it_words_a_foreign_reference_like_a_missing_one(api, foreign):
    def error(pk) -> str:
        payload = {"stage": str(pk), "name": "T"}
        response = api.post("/api/v1/touchpoints/", payload, format="json")
        return response.json()["stage"][0].replace(str(pk), "<id>")

    assert error(foreign.stage.id) == error(uuid.uuid4())


def test_it_keeps_a_token_in_its_workspace(api_as, foreign, objs):
    client = api_as("manager")
    assert client.get(f"/api/v1/journeys/{foreign.journey.id}/").status_code == 404
    assert client.get(f"/api/v1/journeys/{objs.journey.id}/").status_code == 200
