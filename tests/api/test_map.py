from journeys.models import Stage
from tests.api.helpers import (
    JOURNEY_FIELDS,
    MOMENT_FIELDS,
    NO_HEALTH,
    STAGE_FIELDS,
    TOUCHPOINT_FIELDS,
)
from touchpoints.services import touchpoint_create


def test_it_returns_the_whole_map(api, journey, stages, touchpoint, moment):
    touchpoint_create(stage=stages[2], name="Receipt", key="receipt", position=0)
    Stage.objects.filter(pk=stages[2].pk).update(
        health_score=55.5, health_band="at_risk", health_n=8
    )
    response = api.get(f"/api/v1/journeys/{journey.id}/map/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= JOURNEY_FIELDS | {"stages"}
    assert body["id"] == str(journey.id)
    assert [s["kind"] for s in body["stages"]] == [s.kind for s in stages]
    purchase = body["stages"][2]
    assert set(purchase) >= STAGE_FIELDS | {"touchpoints"}
    assert purchase["health"] == {"score": 55.5, "band": "at_risk", "n": 8}
    assert [t["key"] for t in purchase["touchpoints"]] == ["receipt", "checkout"]
    assert [t["position"] for t in purchase["touchpoints"]] == [0, 1]
    checkout = purchase["touchpoints"][1]
    assert set(checkout) >= TOUCHPOINT_FIELDS
    assert checkout["health"] == NO_HEALTH
    assert set(checkout["moments"][0]) >= MOMENT_FIELDS
    assert checkout["moments"][0]["id"] == str(moment.id)
    assert body["stages"][0]["touchpoints"] == []


def test_it_reads_the_map_with_a_fixed_number_of_queries(
    api, journey, fill, django_assert_num_queries
):
    # The session and the caller's roles, then the content version (the ETag), the journey,
    # its touchpoints, their moments and its stages: the same 8 at 3 and at 30 touchpoints.
    for size in (3, 27):
        fill(size)
        with django_assert_num_queries(8):
            response = api.get(f"/api/v1/journeys/{journey.id}/map/")
        assert response.status_code == 200
    assert sum(len(stage["touchpoints"]) for stage in response.json()["stages"]) == 30
