"""A journey's lanes and its touchpoints' values for them, through the API: set, read back,
checked (400 naming the problem), removed with their values, and audited."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from journeys.lanes import clean_lanes
from journeys.services import journey_update
from touchpoints.models import Touchpoint

LANES = [
    {"title": "Customer thoughts"},
    {"id": "opportunities"},
    {"id": "kpis", "title": "KPIs"},
    {"id": "channel"},
]


def journey_url(journey) -> str:
    return f"/api/v1/journeys/{journey.pk}/"


def set_lanes(api, journey, lanes):
    return api.patch(journey_url(journey), {"lanes": lanes}, format="json")


def test_lanes_and_their_values_round_trip(api, journey, touchpoint):
    response = set_lanes(api, journey, LANES)
    assert response.status_code == 200, response.content
    # A custom lane without an id gets one from its title; the order is the one given.
    stored = [
        {"id": "customer-thoughts", "title": "Customer thoughts"},
        {"id": "opportunities"},
        {"id": "kpis", "title": "KPIs"},
        {"id": "channel"},
    ]
    assert response.json()["lanes"] == stored
    assert api.get(journey_url(journey)).json()["lanes"] == stored

    values = {"customer-thoughts": "Will it take my card?", "kpis": "Conversion 3.1%"}
    url = f"/api/v1/touchpoints/{touchpoint.pk}/"
    response = api.patch(url, {"lane_values": values}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["lane_values"] == values
    assert api.get(url).json()["lane_values"] == values
    listed = api.get(f"/api/v1/touchpoints/?journey={journey.pk}").json()["results"]
    assert listed[0]["lane_values"] == values
    stages = api.get(f"/api/v1/journeys/{journey.pk}/map/").json()["stages"]
    assert stages[2]["touchpoints"][0]["lane_values"] == values

    # A blank text clears its value.
    response = api.patch(url, {"lane_values": {"kpis": "  "}}, format="json")
    assert response.json()["lane_values"] == {}


def test_a_touchpoint_is_created_with_lane_values(api, journey, stages):
    set_lanes(api, journey, LANES)
    body = {"stage": str(stages[0].pk), "name": "Ad", "lane_values": {"kpis": "CTR"}}
    response = api.post("/api/v1/touchpoints/", body, format="json")
    assert response.status_code == 201, response.content
    assert Touchpoint.objects.get(key="ad").lane_values == {"kpis": "CTR"}


@pytest.mark.parametrize(
    ("lanes", "message"),
    [
        ({"id": "channel"}, "A list of lanes is required."),
        ("channel", "A list of lanes is required."),
        ([{"id": "channel"}, {"id": "channel"}], "Lane 2: the lane channel is listed twice."),
        ([{"id": "Not a slug", "title": "X"}], "Lane 1: the id must be a slug"),
        ([{"id": ["x"], "title": "X"}], "Lane 1: the id must be a slug"),
        ([{"id": "thoughts"}], "Lane 1: a custom lane needs a title."),
        ([{"title": "   "}], "Lane 1: a custom lane needs a title."),
        ([{"title": 5}], "Lane 1: a custom lane needs a title."),
        ([{"title": "x" * 81}], "Lane 1: the title has more than 80 characters."),
        ([{"id": "channel", "title": "Channels"}], "Lane 1: a built-in lane has no title"),
        ([{"title": "X", "colour": "red"}], "Lane 1: unknown field colour."),
        (["channel"], "Lane 1: an object with an id or a title is required."),
        ([{"title": f"Lane {i}"} for i in range(13)], "At most 12 lanes."),
    ],
)
def test_a_bad_lane_list_is_a_400(api, journey, lanes, message):
    response = set_lanes(api, journey, lanes)
    assert response.status_code == 400, response.content
    assert any(text.startswith(message) for text in response.json()["lanes"]), response.json()
    journey.refresh_from_db()
    assert journey.lanes == [{"id": "channel"}, {"id": "pain_points"}, {"id": "opportunities"}]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nope": "x"}, "nope is not a custom lane of this journey."),
        ({"channel": "x"}, "channel is not a custom lane of this journey."),
        ({"kpis": "x" * 2_001}, "kpis: at most 2000 characters; this has 2001."),
        ({"kpis": 3}, "kpis: the text must be a string."),
        ({"kpis": "a\x00b"}, "kpis: the text may not contain NUL characters."),
        (["kpis"], "An object of lane id → text is required."),
    ],
)
def test_bad_lane_values_are_a_400(api, journey, touchpoint, values, message):
    set_lanes(api, journey, LANES)
    url = f"/api/v1/touchpoints/{touchpoint.pk}/"
    response = api.patch(url, {"lane_values": values}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["lane_values"] == [message]
    touchpoint.refresh_from_db()
    assert touchpoint.lane_values == {}


def test_a_lane_removed_takes_its_values_along(api, journey, touchpoint, delivery):
    set_lanes(api, journey, LANES)
    for tp, text in ((touchpoint, "Pay"), (delivery, "Wait")):
        values = {"kpis": text, "customer-thoughts": "Hmm"}
        api.patch(f"/api/v1/touchpoints/{tp.pk}/", {"lane_values": values}, format="json")
    version = Touchpoint.objects.get(pk=touchpoint.pk).version
    lanes = [{"id": "kpis", "title": "Numbers"}, {"id": "channel"}]  # renamed, and one removed
    assert set_lanes(api, journey, lanes).status_code == 200
    assert dict(Touchpoint.objects.values_list("key", "lane_values")) == {
        "checkout": {"kpis": "Pay"},
        "delivery": {"kpis": "Wait"},
    }
    assert Touchpoint.objects.get(pk=touchpoint.pk).version == version + 1
    # The change of the lanes and of each touchpoint's values, in the audit trail.
    latest = api.get(f"/api/v1/journeys/{journey.pk}/history/").json()["results"][:3]
    assert sorted((event["object"]["name"], event["changes"]) for event in latest) == [
        (
            "Checkout",
            {"lane_values": [{"kpis": "Pay", "customer-thoughts": "Hmm"}, {"kpis": "Pay"}]},
        ),
        (
            "Delivery",
            {"lane_values": [{"kpis": "Wait", "customer-thoughts": "Hmm"}, {"kpis": "Wait"}]},
        ),
        ("Online purchase", {"lanes": [LANES_STORED, lanes]}),
    ]


def test_a_lane_removed_while_its_text_is_saved_takes_that_text_along(
    api, journey, touchpoint, monkeypatch
):
    """Someone removes a lane between another's save being checked and written: the text is
    not stored under a lane id that no longer exists (a later lane of that title would show it)."""
    from touchpoints import services

    set_lanes(api, journey, LANES)
    lock_journey = services.lock_journey

    def lane_removed_meanwhile(journey_id):  # after the check, before the write's lock
        journey_update(journey=journey, lanes=[{"id": "kpis", "title": "KPIs"}])
        return lock_journey(journey_id)

    monkeypatch.setattr(services, "lock_journey", lane_removed_meanwhile)
    values = {"kpis": "Pay", "customer-thoughts": "Hmm"}
    response = api.patch(
        f"/api/v1/touchpoints/{touchpoint.pk}/", {"lane_values": values}, format="json"
    )
    assert response.status_code == 200
    assert Touchpoint.objects.get(pk=touchpoint.pk).lane_values == {"kpis": "Pay"}


LANES_STORED = [
    {"id": "customer-thoughts", "title": "Customer thoughts"},
    {"id": "opportunities"},
    {"id": "kpis", "title": "KPIs"},
    {"id": "channel"},
]


def test_persona_goals_and_frustrations(api, journey):
    body = {"persona_goals": "Pay fast", "persona_frustrations": "Hidden fees"}
    response = api.patch(journey_url(journey), body, format="json")
    assert response.status_code == 200
    assert {k: response.json()[k] for k in body} == body


def test_viewers_cannot_change_lanes_and_outsiders_see_none(
    api_as, outsider_api, journey, touchpoint
):
    assert set_lanes(api_as("viewer"), journey, LANES).status_code == 403
    assert set_lanes(outsider_api, journey, LANES).status_code == 404
    url = f"/api/v1/touchpoints/{touchpoint.pk}/"
    assert outsider_api.patch(url, {"lane_values": {}}, format="json").status_code == 404
    journey.refresh_from_db()
    assert len(journey.lanes) == 3


TITLES = st.text(st.characters(blacklist_characters="\x00"), max_size=80).filter(str.strip)


@settings(max_examples=300, deadline=None)
@given(st.lists(TITLES, min_size=1, max_size=12))
@example(["Customer thoughts about the checkout and delivery"] * 2)
def test_lanes_made_from_any_titles_are_accepted_as_they_are_stored(titles):
    """An id made from a title is a valid id: lanes read back (a GET, a document) save again.
    A cut that ended in a hyphen ("customer-thoughts-about-the-checkout-") did not."""
    stored = clean_lanes([{"title": title} for title in titles])
    assert clean_lanes(stored) == stored
