import pytest

from journeys.services import journey_create
from moments.models import Moment
from tests.api.helpers import MOMENT_FIELDS, snapshot
from touchpoints.services import touchpoint_create


def test_it_lists_moments(api, moment):
    response = api.get("/api/v1/moments/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert set(body["results"][0]) >= MOMENT_FIELDS
    assert body["results"][0]["id"] == str(moment.id)


def test_it_tags_a_touchpoint(api, touchpoint):
    payload = {
        "touchpoint": str(touchpoint.id),
        "type": "zmot",
        "impact": 5,
        "rationale": "Reviews",
    }
    response = api.post("/api/v1/moments/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= MOMENT_FIELDS
    assert body == body | payload
    assert body["tagged_by"] == "alice"
    assert body["created_at"]
    assert Moment.objects.get(pk=body["id"]).touchpoint_id == touchpoint.id


def test_it_defaults_the_impact(api, touchpoint):
    payload = {"touchpoint": str(touchpoint.id), "type": "smot"}
    response = api.post("/api/v1/moments/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["impact"] == 3


def test_it_records_the_token_as_tagger(api_as, touchpoint):
    payload = {"touchpoint": str(touchpoint.id), "type": "smot"}
    response = api_as("analyst").post("/api/v1/moments/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["tagged_by"] == "token:analyst token"


def test_it_retrieves_a_moment(api, moment, touchpoint):
    response = api.get(f"/api/v1/moments/{moment.id}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= MOMENT_FIELDS
    assert (body["touchpoint"], body["type"], body["impact"]) == (str(touchpoint.id), "fmot", 4)
    assert body["tagged_by"] == "alice"


def test_it_patches_a_moment(api, moment):
    payload = {"impact": 1, "rationale": "Minor after all"}
    response = api.patch(f"/api/v1/moments/{moment.id}/", payload, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == response.json() | payload
    moment.refresh_from_db()
    assert (moment.impact, moment.rationale) == (1, "Minor after all")


def test_it_deletes_a_moment(api, moment, touchpoint):
    response = api.delete(f"/api/v1/moments/{moment.id}/")
    assert response.status_code == 204
    assert not Moment.objects.filter(pk=moment.pk).exists()
    assert touchpoint.moments.count() == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"type": "zmot"}, "touchpoint"),
        ({"touchpoint": "00000000-0000-0000-0000-000000000000", "type": "zmot"}, "touchpoint"),
        ({"touchpoint": "{tp}"}, "type"),
        ({"touchpoint": "{tp}", "type": "fifth"}, "type"),
        ({"touchpoint": "{tp}", "type": "zmot", "impact": 9}, "impact"),
        ({"touchpoint": "{tp}", "type": "zmot", "impact": 0}, "impact"),
        ({"touchpoint": "{tp}", "type": "zmot", "impact": "huge"}, "impact"),
        ({"touchpoint": "{tp}", "type": "fmot"}, "non_field_errors"),
    ],
)
def test_it_validates_a_new_moment(api, moment, touchpoint, payload, field):
    payload = {
        k: v.format(tp=touchpoint.id) if k == "touchpoint" else v for k, v in payload.items()
    }
    before = snapshot()
    response = api.post("/api/v1/moments/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_it_validates_a_patch(api, moment, touchpoint, stages):
    Moment.objects.create(touchpoint=touchpoint, type="zmot")
    other = touchpoint_create(stage=stages[0], name="Ad", key="ad")
    before = snapshot()
    url = f"/api/v1/moments/{moment.id}/"
    for payload, field in [
        ({"impact": 9}, "impact"),
        ({"type": "fifth"}, "type"),
        ({"type": "zmot"}, "non_field_errors"),
        ({"touchpoint": str(other.id)}, "touchpoint"),
    ]:
        response = api.patch(url, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json()
    assert snapshot() == before


def test_it_answers_400_to_malformed_json(api, moment):
    before = snapshot()
    response = api.patch(f"/api/v1/moments/{moment.id}/", "[1,", content_type="application/json")
    assert response.status_code == 400
    assert snapshot() == before


def filtered(api, query: str) -> list[tuple[str, str]]:
    response = api.get(f"/api/v1/moments/?{query}")
    assert response.status_code == 200, response.content
    return sorted((item["touchpoint"], item["type"]) for item in response.json()["results"])


def test_it_filters_moments(api, workspace, journey, stages, touchpoint, moment):
    other_stage = journey_create(workspace=workspace, name="Other").stages.first()
    ad = touchpoint_create(stage=other_stage, name="Ad", key="ad")
    Moment.objects.create(touchpoint=ad, type="zmot")
    Moment.objects.create(touchpoint=touchpoint, type="zmot")
    tp, ad = str(touchpoint.id), str(ad.id)
    assert filtered(api, f"journey={journey.id}") == [(tp, "fmot"), (tp, "zmot")]
    assert filtered(api, f"journey={other_stage.journey_id}") == [(ad, "zmot")]
    assert filtered(api, f"touchpoint={tp}") == [(tp, "fmot"), (tp, "zmot")]
    assert filtered(api, "type=zmot") == sorted([(tp, "zmot"), (ad, "zmot")])
    assert filtered(api, f"type=fmot&touchpoint={ad}") == []


@pytest.mark.parametrize("query", ["type=fifth", "journey=1", "touchpoint=abc"])
def test_it_rejects_unknown_filter_values(api, moment, query):
    response = api.get(f"/api/v1/moments/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_tagging_reweights_the_journey_health_at_once(api, journey, stages):
    from datetime import UTC, datetime

    from feedback.ingestion import feedback_ingest
    from feedback.scoring import rescore_touchpoints
    from touchpoints.services import touchpoint_create

    good = touchpoint_create(stage=stages[0], name="Good", key="good")
    bad = touchpoint_create(stage=stages[1], name="Bad", key="bad")
    now = datetime.now(UTC).isoformat()
    feedback_ingest(
        workspace=journey.workspace,
        items=[{"touchpoint_key": "good", "occurred_at": now, "csat": 5} for _ in range(5)]
        + [{"touchpoint_key": "bad", "occurred_at": now, "csat": 1} for _ in range(5)],
    )
    rescore_touchpoints([good.pk, bad.pk])
    journey.refresh_from_db()
    assert journey.health_score == 50.0  # (100 × 1 + 0 × 1) / 2
    response = api.post(
        "/api/v1/moments/", {"touchpoint": str(bad.pk), "type": "fmot", "impact": 3}, format="json"
    )
    assert response.status_code == 201
    journey.refresh_from_db()
    assert journey.health_score == 20.0  # (100 × 1 + 0 × (1 + 3)) / 5
