"""Health scores (docs/health.md) against hand-computed numbers: first the pure formulas,
then hand-made feedback stored through feedback_ingest and scored from the real rollups."""

from datetime import timedelta

import pytest

from feedback.models import DirtyTouchpoint, JourneySnapshot, TouchpointSnapshot
from feedback.scoring import (
    SUM_FIELDS,
    band_for,
    components_from_sums,
    mark_dirty,
    rescore_dirty,
    rescore_touchpoints,
    score_from_components,
    weighted_health,
)
from moments.models import Moment
from tests.feedback.health_data import NOW, TODAY, at, each, freeze_now, ingest
from touchpoints.services import touchpoint_create

ALL_ONE = {"nps": 1, "csat": 1, "ces": 1, "sentiment": 1, "resolution": 1}

# Five responses that give every component. Hand-computed:
# nps: promoters 10, 9, 9 = 3; detractor 3 = 1; of 5 → (3 − 1) / 5 × 100 = 40 → (40 + 100) / 2 = 70.0
# csat: top-2-box 5, 4 = 2 of 5 → 40.0
# ces: 7 + 6 + 5 + 4 + 2 = 24, mean 4.8 → (4.8 − 1) / 6 × 100 = 63.33… → 63.3
# sentiment: 0.5 + 0.2 − 0.1 + 0.0 + 0.4 = 1.0, mean 0.2 → (0.2 + 1) / 2 × 100 = 60.0
# resolution: resolved 3 of 5 → 60.0
FIVE = [
    {"nps": 10, "csat": 5, "ces": 7, "sentiment": 0.5, "outcome": "resolved"},
    {"nps": 9, "csat": 4, "ces": 6, "sentiment": 0.2, "outcome": "resolved"},
    {"nps": 9, "csat": 3, "ces": 5, "sentiment": -0.1, "outcome": "resolved"},
    {"nps": 7, "csat": 2, "ces": 4, "sentiment": 0.0, "outcome": "unresolved"},
    {"nps": 3, "csat": 1, "ces": 2, "sentiment": 0.4, "outcome": "abandoned"},
]
FIVE_COMPONENTS = {
    "nps": {"value": 70.0, "n": 5, "counts": True},
    "csat": {"value": 40.0, "n": 5, "counts": True},
    "ces": {"value": 63.3, "n": 5, "counts": True},
    "sentiment": {"value": 60.0, "n": 5, "counts": True},
    "resolution": {"value": 60.0, "n": 5, "counts": True},
}


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


def scored(touchpoint):
    rescore_touchpoints([touchpoint.pk])
    touchpoint.refresh_from_db()
    return touchpoint


def sums(**values) -> dict:
    return {**dict.fromkeys(SUM_FIELDS, 0), **values}


# The pure formulas.


def test_components_from_sums_applies_each_formula():
    components = components_from_sums(
        sums(
            responses=10,
            nps_n=5,
            promoters=3,
            detractors=1,
            csat_n=5,
            csat_top2=2,
            ces_n=5,
            ces_sum=24,
            sentiment_n=4,
            sentiment_sum=1.0,
            outcome_n=4,
            resolved=3,
        ),
        min_responses=5,
    )
    assert components == {
        # (3 − 1) / 5 × 100 = 40 → (40 + 100) / 2
        "nps": {"value": pytest.approx(70.0), "n": 5, "counts": True},
        # 2 / 5 × 100
        "csat": {"value": pytest.approx(40.0), "n": 5, "counts": True},
        # 24 / 5 = 4.8 → (4.8 − 1) / 6 × 100 = 63.33…, kept exact here
        "ces": {"value": pytest.approx(63.3333333), "n": 5, "counts": True},
        # 1.0 / 4 = 0.25 → (0.25 + 1) / 2 × 100; n 4 < 5 does not count
        "sentiment": {"value": pytest.approx(62.5), "n": 4, "counts": False},
        # 3 / 4 × 100; n 4 < 5
        "resolution": {"value": pytest.approx(75.0), "n": 4, "counts": False},
    }


def test_components_from_sums_extremes():
    components = components_from_sums(
        sums(nps_n=2, detractors=2, ces_n=1, ces_sum=7, sentiment_n=2, sentiment_sum=-2.0),
        min_responses=1,
    )
    assert components["nps"]["value"] == 0.0  # all detractors: (−100 + 100) / 2
    assert components["ces"]["value"] == 100.0  # mean 7: (7 − 1) / 6 × 100
    assert components["sentiment"]["value"] == 0.0  # mean −1: (−1 + 1) / 2 × 100


def test_components_from_sums_leaves_out_components_without_responses():
    assert components_from_sums(sums(responses=3), min_responses=5) == {}


def test_score_from_components_is_the_weighted_mean_of_counting_components():
    components = components_from_sums(
        sums(
            nps_n=5,
            promoters=3,
            detractors=1,
            csat_n=5,
            csat_top2=2,
            ces_n=5,
            ces_sum=24,
            sentiment_n=4,
            sentiment_sum=1.0,
        ),
        min_responses=5,
    )
    # (70 + 40 + 63.33…) / 3 = 57.78 → 57.8; sentiment (n 4) does not count
    assert score_from_components(components, ALL_ONE) == 57.8
    # (2 × 70 + 1 × 40 + 0 × 63.33) / (2 + 1 + 0) = 180 / 3 = 60.0
    assert score_from_components(components, {**ALL_ONE, "nps": 2, "ces": 0}) == 60.0
    # only ces weighs: 63.33… → 63.3
    weights = {"nps": 0, "csat": 0, "ces": 1, "sentiment": 0, "resolution": 0}
    assert score_from_components(components, weights) == 63.3


def test_score_from_components_is_none_when_nothing_counts():
    below = {"nps": {"value": 70.0, "n": 4, "counts": False}}
    assert score_from_components(below, ALL_ONE) is None
    assert score_from_components({}, ALL_ONE) is None
    # a counting component whose weight is 0 contributes nothing: no data either
    counting = {"nps": {"value": 70.0, "n": 5, "counts": True}}
    assert score_from_components(counting, {**ALL_ONE, "nps": 0}) is None


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100.0, "healthy"),
        (70.0, "healthy"),
        (69.9, "at_risk"),
        (40.0, "at_risk"),
        (39.9, "critical"),
        (0.0, "critical"),
        (None, "no_data"),
    ],
)
def test_band_for(score, band):
    assert band_for(score) == band


def test_weighted_health():
    # (80 × 1 + 20 × 5) / (1 + 5) = 180 / 6 = 30.0; the unscored part is left out, n = 5 + 5
    assert weighted_health([(80.0, 5, 1), (20.0, 5, 5), (None, 3, 4)]) == (30.0, 10)
    # (61 × 2 + 50 × 1) / 3 = 172 / 3 = 57.33… → 57.3
    assert weighted_health([(61.0, 2, 2), (50.0, 3, 1)]) == (57.3, 5)
    assert weighted_health([(None, 3, 2)]) == (None, 0)
    assert weighted_health([]) == (None, 0)


# Hand-made feedback, through ingestion and the rollups.


def test_each_component_and_the_score(workspace, touchpoint):
    ingest(workspace, FIVE, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    assert touchpoint.health_components == FIVE_COMPONENTS
    # (70 + 40 + 63.33… + 60 + 60) / 5 = 293.33… / 5 = 58.67 → 58.7
    assert touchpoint.health == {"score": 58.7, "band": "at_risk", "n": 5}
    assert touchpoint.health_computed_at == NOW


@pytest.mark.parametrize(
    ("items", "component", "score"),
    [
        # promoters 10, 10, 9 = 3; detractors 6, 0 = 2; of 7 → (3 − 2) / 7 × 100 = 14.29
        # → (14.29 + 100) / 2 = 57.14 → 57.1
        (each("nps", [10, 10, 9, 8, 7, 6, 0]), "nps", 57.1),
        # top-2-box 5, 4, 4 = 3 of 6 → 50.0
        (each("csat", [5, 4, 4, 3, 1, 2]), "csat", 50.0),
        # 7 + 7 + 7 + 7 + 6 = 34, mean 6.8 → (6.8 − 1) / 6 × 100 = 96.67 → 96.7
        (each("ces", [7, 7, 7, 7, 6]), "ces", 96.7),
        # −1 − 0.5 + 0 + 0.25 + 0.6 = −0.65, mean −0.13 → (−0.13 + 1) / 2 × 100 = 43.5
        (each("sentiment", [-1, -0.5, 0, 0.25, 0.6]), "sentiment", 43.5),
        # resolved 1 of 5 → 20.0
        (
            each("outcome", ["resolved", "unresolved", "unresolved", "unresolved", "abandoned"]),
            "resolution",
            20.0,
        ),
    ],
)
def test_only_one_component(workspace, touchpoint, items, component, score):
    ingest(workspace, items, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    n = len(items)
    assert touchpoint.health_components == {component: {"value": score, "n": n, "counts": True}}
    assert touchpoint.health_score == score
    assert touchpoint.health_n == n


@pytest.mark.parametrize(
    ("items", "score", "band"),
    [
        # top-2-box 7 of 10 → 70.0
        (each("csat", [5] * 7 + [1] * 3), 70.0, "healthy"),
        # 0.398 × 5 / 5 = 0.398 → (0.398 + 1) / 2 × 100 = 69.9
        (each("sentiment", [0.398] * 5), 69.9, "at_risk"),
        # top-2-box 4 of 10 → 40.0
        (each("csat", [4] * 4 + [3] * 6), 40.0, "at_risk"),
        # mean −0.202 → (−0.202 + 1) / 2 × 100 = 39.9
        (each("sentiment", [-0.202] * 5), 39.9, "critical"),
    ],
)
def test_band_boundaries(workspace, touchpoint, items, score, band):
    ingest(workspace, items, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    assert (touchpoint.health_score, touchpoint.health_band) == (score, band)


def test_no_feedback_is_no_data(touchpoint):
    touchpoint = scored(touchpoint)
    assert touchpoint.health == {"score": None, "band": "no_data", "n": 0}
    assert touchpoint.health_components == {}


def test_no_counting_component_is_no_data(workspace, touchpoint):
    # 4 nps (10, 10, 6, 8) and 2 csat (5, 1): both below min_responses 5, still shown
    ingest(
        workspace,
        [{"nps": 10, "csat": 5}, {"nps": 10, "csat": 1}, {"nps": 6}, {"nps": 8}],
        touchpoint_key="checkout",
    )
    touchpoint = scored(touchpoint)
    assert touchpoint.health == {"score": None, "band": "no_data", "n": 4}
    assert touchpoint.health_components == {
        # (2 − 1) / 4 × 100 = 25 → (25 + 100) / 2 = 62.5
        "nps": {"value": 62.5, "n": 4, "counts": False},
        # 1 of 2 → 50.0
        "csat": {"value": 50.0, "n": 2, "counts": False},
    }


def test_comments_alone_are_no_data(workspace, touchpoint):
    # no sentiment yet (the sentiment task has not run): responses, but no component
    ingest(workspace, each("comment", ["Slow", "Fine", "Meh"]), touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    assert touchpoint.health == {"score": None, "band": "no_data", "n": 3}
    assert touchpoint.health_components == {}


def test_a_component_below_min_responses_is_listed_but_not_scored(workspace, touchpoint):
    # nps 10 × 5 → (5 − 0) / 5 × 100 = 100 → (100 + 100) / 2 = 100.0
    # csat 1 × 4 (on four of the same rows) → 0 of 4 = 0.0, n 4 < 5: not in the score
    items = [{"nps": 10, "csat": 1}] * 4 + [{"nps": 10}]
    ingest(workspace, items, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    assert touchpoint.health_components == {
        "nps": {"value": 100.0, "n": 5, "counts": True},
        "csat": {"value": 0.0, "n": 4, "counts": False},
    }
    assert touchpoint.health == {"score": 100.0, "band": "healthy", "n": 5}


def test_weights_setting(workspace, touchpoint):
    workspace.weight_nps = 3
    workspace.save()
    ingest(workspace, FIVE, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    # (3 × 70 + 40 + 63.33… + 60 + 60) / (3 + 1 + 1 + 1 + 1) = 433.33… / 7 = 61.90 → 61.9
    assert touchpoint.health_score == 61.9
    assert touchpoint.health_components == FIVE_COMPONENTS


def test_all_weights_but_one_zero(workspace, touchpoint):
    workspace.weight_nps = workspace.weight_csat = 0
    workspace.weight_sentiment = workspace.weight_resolution = 0
    workspace.save()
    ingest(workspace, FIVE, touchpoint_key="checkout")
    touchpoint = scored(touchpoint)
    # only ces weighs: 63.33… → 63.3; the other components are still shown and counting
    assert touchpoint.health == {"score": 63.3, "band": "at_risk", "n": 5}
    assert touchpoint.health_components == FIVE_COMPONENTS


def test_min_responses_setting(workspace, touchpoint):
    workspace.min_responses = 3
    workspace.save()
    # nps 10, 6, 9: promoters 2, detractor 1 of 3 → (2 − 1) / 3 × 100 = 33.33 → 66.67 → 66.7
    # csat 5, 4: n 2 < 3
    ingest(
        workspace,
        [{"nps": 10, "csat": 5}, {"nps": 6, "csat": 4}, {"nps": 9}],
        touchpoint_key="checkout",
    )
    touchpoint = scored(touchpoint)
    assert touchpoint.health == {"score": 66.7, "band": "at_risk", "n": 3}
    assert touchpoint.health_components == {
        "nps": {"value": 66.7, "n": 3, "counts": True},
        "csat": {"value": 100.0, "n": 2, "counts": False},
    }

    workspace.min_responses = 2
    workspace.save()
    # csat now counts: (66.67 + 100) / 2 = 83.33 → 83.3
    assert scored(touchpoint).health_score == 83.3

    workspace.min_responses = 4
    workspace.save()
    touchpoint = scored(touchpoint)
    assert touchpoint.health == {"score": None, "band": "no_data", "n": 3}


def test_the_window_is_whole_utc_days(workspace, touchpoint):
    first_day, last_day = TODAY - timedelta(days=89), TODAY  # window (TODAY − 90, TODAY]
    ingest(
        workspace,
        [
            # out: the day before the window, at its last second
            {"csat": 1, "occurred_at": at(first_day - timedelta(days=1), 23, 59, 59)},
            # out: 00:30 at +02:00 on the first day is 22:30 UTC the day before
            {"csat": 1, "occurred_at": f"{first_day.isoformat()}T00:30:00+02:00"},
            # in: the window's first day, at its first second
            {"csat": 5, "occurred_at": at(first_day)},
            # in: the last day (today), later than "now" but the same UTC day
            {"csat": 5, "occurred_at": at(last_day, 23, 59, 59)},
            # out: tomorrow
            {"csat": 1, "occurred_at": at(last_day + timedelta(days=1))},
            # in
            {"csat": 4},
            {"csat": 4},
            {"csat": 2},
        ],
        touchpoint_key="checkout",
    )
    touchpoint = scored(touchpoint)
    # in the window: 5, 5, 4, 4, 2 → top-2-box 4 of 5 → 80.0
    assert touchpoint.health == {"score": 80.0, "band": "healthy", "n": 5}


def test_window_days_setting(workspace, touchpoint):
    workspace.window_days = 7
    workspace.save()
    ingest(
        workspace,
        [
            {"csat": 1, "occurred_at": at(TODAY - timedelta(days=7), 23, 59, 59)},  # out
            {"csat": 5, "occurred_at": at(TODAY - timedelta(days=6))},  # in: the first day
            {"csat": 4},
            {"csat": 3},
            {"csat": 5},
            {"csat": 5},
        ],
        touchpoint_key="checkout",
    )
    touchpoint = scored(touchpoint)
    # in the window: 5, 4, 3, 5, 5 → top-2-box 4 of 5 → 80.0 (with the 1: 4 of 6 = 66.7)
    assert touchpoint.health == {"score": 80.0, "band": "healthy", "n": 5}


def test_stage_and_journey_health_weigh_moments_of_truth(workspace, journey, stages, touchpoint):
    purchase, loyalty = stages[2], stages[4]
    payment = touchpoint_create(stage=purchase, name="Payment", key="payment")
    gift_wrap = touchpoint_create(stage=purchase, name="Gift wrap", key="gift-wrap")
    renewal = touchpoint_create(stage=loyalty, name="Renewal", key="renewal")
    win_back = touchpoint_create(stage=loyalty, name="Win-back", key="win-back")
    # weights: checkout untagged → 1; payment max(4, 2) → 1 + 4 = 5;
    # gift wrap 1 + 3 = 4 but no feedback, so left out; renewal 1 + 1 = 2; win-back 1 + 5 = 6
    Moment.objects.create(touchpoint=payment, type="fmot", impact=4)
    Moment.objects.create(touchpoint=payment, type="zmot", impact=2)
    Moment.objects.create(touchpoint=gift_wrap, type="smot", impact=3)
    Moment.objects.create(touchpoint=renewal, type="tmot", impact=1)
    Moment.objects.create(touchpoint=win_back, type="tmot", impact=5)
    ingest(workspace, each("csat", [5, 5, 5, 4, 1]), touchpoint_key="checkout")  # 4/5 → 80.0
    ingest(workspace, each("csat", [5, 1, 1, 1, 1]), touchpoint_key="payment")  # 1/5 → 20.0
    ingest(workspace, each("csat", [4, 4, 4, 2, 2]), touchpoint_key="renewal")  # 3/5 → 60.0
    ingest(workspace, each("csat", [5, 5, 1, 1, 1]), touchpoint_key="win-back")  # 2/5 → 40.0

    assert rescore_dirty() == 4

    purchase.refresh_from_db()
    # (80 × 1 + 20 × 5) / (1 + 5) = 180 / 6 = 30.0
    assert purchase.health == {"score": 30.0, "band": "critical", "n": 10}
    loyalty.refresh_from_db()
    # (60 × 2 + 40 × 6) / (2 + 6) = 360 / 8 = 45.0
    assert loyalty.health == {"score": 45.0, "band": "at_risk", "n": 10}
    journey.refresh_from_db()
    # (80 × 1 + 20 × 5 + 60 × 2 + 40 × 6) / (1 + 5 + 2 + 6) = 540 / 14 = 38.57 → 38.6
    # (unweighted it would be 50.0)
    assert journey.health == {"score": 38.6, "band": "critical", "n": 20}
    assert journey.health_computed_at == NOW
    for stage in (stages[0], stages[1], stages[3], stages[5]):
        stage.refresh_from_db()
        assert stage.health == {"score": None, "band": "no_data", "n": 0}


def test_daily_snapshots_one_per_day(workspace, journey, touchpoint):
    ingest(workspace, each("csat", [5, 5, 5, 5, 1]), touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])
    # 4 of 5 → 80.0
    assert list(TouchpointSnapshot.objects.values("touchpoint", "day", "score", "band", "n")) == [
        {"touchpoint": touchpoint.pk, "day": TODAY, "score": 80.0, "band": "healthy", "n": 5}
    ]
    assert list(JourneySnapshot.objects.values("journey", "day", "score", "band", "n")) == [
        {"journey": journey.pk, "day": TODAY, "score": 80.0, "band": "healthy", "n": 5}
    ]

    ingest(workspace, each("csat", [1, 1, 1, 1, 1]), touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])
    # the same day's snapshot is replaced: 4 of 10 → 40.0
    snapshot = TouchpointSnapshot.objects.get()
    assert (snapshot.day, snapshot.score, snapshot.band, snapshot.n) == (TODAY, 40.0, "at_risk", 10)
    assert snapshot.components == {"csat": {"value": 40.0, "n": 10, "counts": True}}
    journey_snapshot = JourneySnapshot.objects.get()
    assert (journey_snapshot.score, journey_snapshot.band, journey_snapshot.n) == (
        40.0,
        "at_risk",
        10,
    )


def test_rescore_dirty_claims_dirty_touchpoints_and_clears_them(workspace, stages, touchpoint):
    payment = touchpoint_create(stage=stages[2], name="Payment", key="payment")
    untouched = touchpoint_create(stage=stages[2], name="Gift wrap", key="gift-wrap")
    ingest(workspace, each("csat", [5, 5, 5, 4, 4]), touchpoint_key="checkout")  # 5/5 → 100.0
    ingest(workspace, each("csat", [1, 1, 1, 1, 5]), touchpoint_key="payment")  # 1/5 → 20.0
    assert set(DirtyTouchpoint.objects.values_list("touchpoint_id", flat=True)) == {
        touchpoint.pk,
        payment.pk,
    }

    assert rescore_dirty() == 2
    assert not DirtyTouchpoint.objects.exists()
    touchpoint.refresh_from_db()
    payment.refresh_from_db()
    untouched.refresh_from_db()
    assert touchpoint.health_score == 100.0
    assert payment.health_score == 20.0
    assert untouched.health_computed_at is None  # not dirty, not rescored
    assert rescore_dirty() == 0


def test_mark_dirty_is_idempotent(touchpoint):
    mark_dirty([touchpoint.pk, touchpoint.pk])
    mark_dirty([touchpoint.pk])
    assert DirtyTouchpoint.objects.count() == 1


def test_a_failed_rescore_leaves_the_touchpoints_dirty(monkeypatch, workspace, touchpoint):
    ingest(workspace, each("csat", [5] * 5), touchpoint_key="checkout")

    def crash(touchpoint_ids):
        raise RuntimeError("worker lost")

    monkeypatch.setattr("feedback.scoring.rescore_touchpoints", crash)
    with pytest.raises(RuntimeError):
        rescore_dirty()
    assert list(DirtyTouchpoint.objects.values_list("touchpoint_id", flat=True)) == [touchpoint.pk]
