from journeys.models import Journey


def test_it_creates_a_journey_with_the_six_classic_stages(api, workspace):
    response = api.post("/api/v1/journeys/", {"name": "Onboarding", "persona": "New user"}, format="json")
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
