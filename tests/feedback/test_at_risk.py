"""At-risk customers (sub-zero detection, docs/health.md) from hand-made feedback: who has at
least `at_risk_threshold` negative experiences in the window across one journey's touchpoints."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils.dateparse import parse_datetime

from feedback.at_risk import at_risk_customers, at_risk_refresh_stale
from feedback.models import AtRiskReport, Feedback, TouchpointSnapshot
from feedback.scoring import rescore_dirty, rescore_touchpoints
from journeys.services import journey_create
from tests.feedback.health_data import NOW, TODAY, each, freeze_now, ingest
from touchpoints.services import touchpoint_create, touchpoint_delete


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


@pytest.fixture
def other_journey(workspace):
    journey = journey_create(workspace=workspace, name="Support")
    touchpoint_create(stage=journey.stages.first(), name="Help desk", key="help-desk")
    return journey


def hours_ago(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).isoformat()


def found(journey, **options) -> dict:
    """The report after the worker's rescore, as a client sees it once the worker ran."""
    rescore_dirty()
    at_risk_refresh_stale()
    return at_risk_customers(journey, **options)


def refs(journey) -> list[str]:
    return [c["customer_ref"] for c in found(journey)["customers"]]


def ref(touchpoint) -> dict:
    return {"id": touchpoint.pk, "key": touchpoint.key, "name": touchpoint.name}


@pytest.mark.parametrize(
    "signal",
    [
        {"nps": 6},
        {"nps": 0},
        {"csat": 2},
        {"csat": 1},
        {"ces": 3},
        {"ces": 1},
        {"sentiment": -0.3},
        {"sentiment": -1},
        {"outcome": "unresolved"},
        {"outcome": "abandoned"},
    ],
)
def test_each_rule_makes_feedback_negative(workspace, journey, touchpoint, signal):
    ingest(workspace, [signal] * 3, touchpoint_key="checkout", customer_ref="ana")
    assert Feedback.objects.filter(is_negative=True).count() == 3
    assert refs(journey) == ["ana"]


@pytest.mark.parametrize(
    "signal",
    [
        {"nps": 7},
        {"nps": 10},
        {"csat": 3},
        {"ces": 4},
        {"sentiment": -0.29},
        {"outcome": "resolved"},
        {"comment": "Meh"},  # no sentiment yet: not negative (until the sentiment task says so)
    ],
)
def test_boundaries_are_not_negative(workspace, journey, touchpoint, signal):
    ingest(workspace, [signal] * 3, touchpoint_key="checkout", customer_ref="ana")
    assert not Feedback.objects.filter(is_negative=True).exists()
    assert refs(journey) == []


def test_one_negative_signal_is_enough(workspace, journey, touchpoint):
    # each row has good signals and one bad one
    ingest(
        workspace,
        [
            {"nps": 10, "csat": 5, "ces": 7, "outcome": "unresolved"},
            {"nps": 10, "csat": 1, "ces": 7, "outcome": "resolved"},
            {"nps": 3, "csat": 5, "sentiment": 0.9},
        ],
        touchpoint_key="checkout",
        customer_ref="ana",
    )
    assert refs(journey) == ["ana"]


def test_customers_counts_touchpoints_and_hotspots(workspace, journey, touchpoint, delivery):
    checkout = touchpoint
    # ana: 4 negative (2 checkout, 2 delivery), then a good one, which is not her last_at
    ingest(
        workspace,
        [
            {"nps": 2, "touchpoint_key": "checkout", "occurred_at": hours_ago(50)},
            {"csat": 1, "touchpoint_key": "checkout", "occurred_at": hours_ago(40)},
            {"ces": 2, "touchpoint_key": "delivery", "occurred_at": hours_ago(30)},
            {"outcome": "abandoned", "touchpoint_key": "delivery", "occurred_at": hours_ago(3)},
            {"nps": 10, "touchpoint_key": "delivery", "occurred_at": hours_ago(1)},
        ],
        customer_ref="ana",
    )
    # ben: 3 negative, all at checkout
    ingest(
        workspace,
        [{"nps": 0, "occurred_at": hours_ago(h)} for h in (20, 10, 5)],
        touchpoint_key="checkout",
        customer_ref="ben",
    )
    # cleo: 2 negative at delivery, below the threshold 3: not listed, not in the hotspots
    ingest(workspace, each("csat", [1, 2]), touchpoint_key="delivery", customer_ref="cleo")

    result = found(journey)

    assert result["threshold"] == 3
    assert result["window_days"] == 90
    assert result["customer_count"] == 2
    assert result["customers"] == [
        {
            "customer_ref": "ana",
            "negative_count": 4,
            "last_at": NOW - timedelta(hours=3),
            "touchpoints": [ref(checkout), ref(delivery)],  # by name
        },
        {
            "customer_ref": "ben",
            "negative_count": 3,
            "last_at": NOW - timedelta(hours=5),
            "touchpoints": [ref(checkout)],
        },
    ]
    # checkout: ana 2 + ben 3 = 5; delivery: ana 2 (cleo's 2 do not count)
    assert result["hotspots"] == [
        {**ref(checkout), "negative_count": 5},
        {**ref(delivery), "negative_count": 2},
    ]


def test_another_journeys_feedback_does_not_count(workspace, journey, touchpoint, other_journey):
    # dan: 2 negative here and 2 in the support journey: at risk in neither (threshold 3)
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="checkout", customer_ref="dan")
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="help-desk", customer_ref="dan")
    assert refs(journey) == []
    assert refs(other_journey) == []

    ingest(workspace, [{"nps": 3}], touchpoint_key="help-desk", customer_ref="dan")
    assert refs(journey) == []
    support = found(other_journey)
    assert [(c["customer_ref"], c["negative_count"]) for c in support["customers"]] == [("dan", 3)]
    assert [(h["key"], h["negative_count"]) for h in support["hotspots"]] == [("help-desk", 3)]


def test_feedback_without_customer_ref_is_ignored(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [0, 1, 2, 3, 4]), touchpoint_key="checkout")
    ingest(workspace, each("nps", [0, 1, 2]), touchpoint_key="checkout", customer_ref="")
    result = found(journey)
    assert (result["customer_count"], result["customers"], result["hotspots"]) == (0, [], [])


def test_threshold_setting(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [0, 1]), touchpoint_key="checkout", customer_ref="eve")
    assert refs(journey) == []

    workspace.at_risk_threshold = 2
    workspace.save()
    journey.refresh_from_db()
    result = found(journey)
    assert result["threshold"] == 2
    assert [(c["customer_ref"], c["negative_count"]) for c in result["customers"]] == [("eve", 2)]


def test_the_window_is_the_scoring_window(workspace, journey, touchpoint):
    # The last 90 UTC days, today included: from 00:00 on TODAY − 89 until now.
    start = datetime.combine(TODAY - timedelta(days=89), time.min, UTC)
    ingest(
        workspace,
        [
            {"nps": 0, "occurred_at": (start - timedelta(seconds=1)).isoformat()},  # out
            {"nps": 0, "occurred_at": start.isoformat()},  # in: the first moment of the window
            {"nps": 0, "occurred_at": NOW.isoformat()},  # in
        ],
        touchpoint_key="checkout",
        customer_ref="fay",
    )
    assert refs(journey) == []  # 2 in the window

    ingest(workspace, [{"nps": 0}], touchpoint_key="checkout", customer_ref="fay")
    result = found(journey)
    assert [(c["customer_ref"], c["negative_count"]) for c in result["customers"]] == [("fay", 3)]


def test_window_days_setting(workspace, journey, touchpoint):
    workspace.window_days = 7
    workspace.save()
    journey.refresh_from_db()
    first = datetime.combine(TODAY - timedelta(days=6), time.min, UTC)
    ingest(
        workspace,
        [
            {"nps": 0, "occurred_at": (first + offset).isoformat()}
            for offset in (-timedelta(hours=1), timedelta(hours=1), timedelta(days=6), timedelta())
        ],
        touchpoint_key="checkout",
        customer_ref="gus",
    )
    result = found(journey)
    assert result["window_days"] == 7
    # 3 of the 4 are within the last 7 UTC days
    assert [(c["customer_ref"], c["negative_count"]) for c in result["customers"]] == [("gus", 3)]


def test_limit_lists_the_worst_first_and_counts_all(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [0] * 4), touchpoint_key="checkout", customer_ref="hal")
    ingest(workspace, each("nps", [0] * 3), touchpoint_key="checkout", customer_ref="ida")
    result = found(journey, limit=1)
    assert result["customer_count"] == 2
    assert [c["customer_ref"] for c in result["customers"]] == ["hal"]
    # hotspots cover every customer at risk, not only the listed ones: 4 + 3
    assert [h["negative_count"] for h in result["hotspots"]] == [7]


# Stored reports: found by the worker, read by everyone.


def test_a_stored_report_is_read_until_the_worker_refreshes_it(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [1, 2, 3]), touchpoint_key="checkout", customer_ref="ana")
    assert refs(journey) == ["ana"]

    ingest(workspace, each("nps", [1, 2, 3]), touchpoint_key="checkout", customer_ref="ben")
    assert [c["customer_ref"] for c in at_risk_customers(journey)["customers"]] == ["ana"]
    rescore_dirty()
    assert AtRiskReport.objects.get(journey=journey).stale
    assert at_risk_customers(journey)["customer_count"] == 1

    assert at_risk_refresh_stale() == 1
    assert at_risk_customers(journey)["customer_count"] == 2
    assert at_risk_refresh_stale() == 0


def test_a_journey_never_refreshed_is_found_on_the_spot(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [1, 2, 3]), touchpoint_key="checkout", customer_ref="ana")
    assert not AtRiskReport.objects.exists()

    assert [c["customer_ref"] for c in at_risk_customers(journey)["customers"]] == ["ana"]
    assert not AtRiskReport.objects.get(journey=journey).stale


def test_a_new_threshold_is_applied_at_the_next_read(workspace, journey, touchpoint):
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="checkout", customer_ref="ana")
    assert refs(journey) == []
    workspace.at_risk_threshold = 2
    workspace.save()
    assert at_risk_customers(journey)["customers"][0]["customer_ref"] == "ana"


def test_hotspots_skip_a_touchpoint_deleted_since_the_refresh(
    workspace, journey, touchpoint, delivery
):
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="delivery", customer_ref="ana")
    ingest(workspace, each("nps", [1]), touchpoint_key="checkout", customer_ref="ana")
    assert len(found(journey)["hotspots"]) == 2
    touchpoint_delete(touchpoint=delivery)
    hotspots = at_risk_customers(journey)["hotspots"]
    assert [h["key"] for h in hotspots] == ["checkout"]


# Through the HTTP API.


def test_at_risk_api(api, workspace, journey, touchpoint, delivery):
    ingest(
        workspace,
        [
            {"nps": 1, "touchpoint_key": "delivery", "occurred_at": hours_ago(9)},
            {"csat": 1, "touchpoint_key": "checkout", "occurred_at": hours_ago(8)},
            {"outcome": "unresolved", "touchpoint_key": "checkout", "occurred_at": hours_ago(2)},
        ],
        customer_ref="ana",
    )
    ingest(workspace, each("nps", [0, 0]), touchpoint_key="checkout", customer_ref="ben")

    response = api.get(f"/api/v1/journeys/{journey.pk}/at-risk/")

    assert response.status_code == 200
    data = response.json()
    last_at = data["customers"][0].pop("last_at")
    assert parse_datetime(last_at) == NOW - timedelta(hours=2)
    assert parse_datetime(data.pop("computed_at")) == NOW
    assert data == {
        "threshold": 3,
        "window_days": 90,
        "customer_count": 1,
        "customers": [
            {
                "customer_ref": "ana",
                "negative_count": 3,
                "touchpoints": [
                    {"id": str(touchpoint.pk), "key": "checkout", "name": "Checkout"},
                    {"id": str(delivery.pk), "key": "delivery", "name": "Delivery"},
                ],
            }
        ],
        "hotspots": [
            {"id": str(touchpoint.pk), "key": "checkout", "name": "Checkout", "negative_count": 2},
            {"id": str(delivery.pk), "key": "delivery", "name": "Delivery", "negative_count": 1},
        ],
    }


def test_at_risk_api_of_another_workspace_is_404(outsider_api, journey):
    response = outsider_api.get(f"/api/v1/journeys/{journey.pk}/at-risk/")
    assert response.status_code == 404


def test_touchpoint_health_api(api, workspace, touchpoint):
    # two older snapshots: one in the 90-day window, one on its excluded first day
    TouchpointSnapshot.objects.create(
        touchpoint=touchpoint, day=TODAY - timedelta(days=3), score=35.5, band="critical", n=7
    )
    TouchpointSnapshot.objects.create(
        touchpoint=touchpoint, day=TODAY - timedelta(days=90), score=99.0, band="healthy", n=9
    )
    # nps 10, 10, 9, 6, 8: promoters 3, detractor 1 → (3 − 1) / 5 × 100 = 40 → 70.0
    # csat 5, 1: 1 of 2 → 50.0, n 2 < 5: listed, not counting
    ingest(
        workspace,
        [{"nps": 10, "csat": 5}, {"nps": 10, "csat": 1}, {"nps": 9}, {"nps": 6}, {"nps": 8}],
        touchpoint_key="checkout",
    )
    rescore_touchpoints([touchpoint.pk])

    response = api.get(f"/api/v1/touchpoints/{touchpoint.pk}/health/")

    assert response.status_code == 200
    data = response.json()
    assert parse_datetime(data.pop("computed_at")) == NOW
    assert data == {
        "score": 70.0,
        "band": "healthy",
        "n": 5,
        "window_days": 90,
        "components": {
            "nps": {"value": 70.0, "n": 5, "counts": True},
            "csat": {"value": 50.0, "n": 2, "counts": False},
        },
        "history": [
            {"date": (TODAY - timedelta(days=3)).isoformat(), "score": 35.5, "band": "critical"},
            {"date": TODAY.isoformat(), "score": 70.0, "band": "healthy"},
        ],
    }


def test_touchpoint_health_api_without_data(api, touchpoint):
    response = api.get(f"/api/v1/touchpoints/{touchpoint.pk}/health/")
    assert response.status_code == 200
    assert response.json() == {
        "score": None,
        "band": "no_data",
        "n": 0,
        "window_days": 90,
        "computed_at": None,
        "components": {},
        "history": [],
    }


def test_touchpoint_health_api_of_another_workspace_is_404(outsider_api, touchpoint):
    response = outsider_api.get(f"/api/v1/touchpoints/{touchpoint.pk}/health/")
    assert response.status_code == 404
