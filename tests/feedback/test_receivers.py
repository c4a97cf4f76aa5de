"""Scoring hears of edits in the layers below it through their signals: stage and journey health
follow a touchpoint that changes stage or is deleted, a stage deleted, and a moment tagged."""

import pytest

from journeys.models import Journey, Stage
from journeys.services import stage_delete
from moments.services import moment_tag, moment_untag, moment_update
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create, touchpoint_delete, touchpoint_update


def scored(touchpoint, score: float, n: int = 10) -> Touchpoint:
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        health_score=score, health_band="healthy", health_n=n
    )
    touchpoint.refresh_from_db()
    return touchpoint


def health(model, pk) -> tuple:
    row = model.objects.get(pk=pk)
    return row.health_score, row.health_band, row.health_n


@pytest.fixture
def pair(stages):
    """Purchase holds a (80) and b (40)."""
    a = scored(touchpoint_create(stage=stages[2], name="A", key="a"), 80)
    b = scored(touchpoint_create(stage=stages[2], name="B", key="b"), 40)
    return a, b


def test_a_move_to_another_stage_rescores_both_stages(stages, pair):
    a, _ = pair
    touchpoint_update(touchpoint=a, stage=stages[3], position=0)
    assert health(Stage, stages[2].pk) == (40.0, "at_risk", 10)  # b alone
    assert health(Stage, stages[3].pk) == (80.0, "healthy", 10)  # a alone
    assert health(Journey, stages[2].journey_id) == (60.0, "at_risk", 20)  # (80 + 40) / 2


def test_a_tag_weighs_its_touchpoint_more(journey, stages, pair):
    a, _ = pair
    moment = moment_tag(touchpoint=a, type="fmot", impact=5)
    # a weighs 1 + 5 = 6, b weighs 1: (80 × 6 + 40) / 7 = 74.29 → 74.3
    assert health(Stage, stages[2].pk) == (74.3, "healthy", 20)
    assert health(Journey, journey.pk) == (74.3, "healthy", 20)
    moment_update(moment=moment, impact=1)
    # (80 × 2 + 40) / 3 = 66.67 → 66.7
    assert health(Stage, stages[2].pk) == (66.7, "at_risk", 20)
    moment_untag(moment=moment)
    assert health(Stage, stages[2].pk) == (60.0, "at_risk", 20)


def test_deleting_a_touchpoint_or_a_stage_rescores_the_journey(journey, stages, pair):
    a, b = pair
    scored(touchpoint_create(stage=stages[4], name="C", key="c"), 100)
    touchpoint_delete(touchpoint=b)
    assert health(Stage, stages[2].pk) == (80.0, "healthy", 10)
    assert health(Journey, journey.pk) == (90.0, "healthy", 20)  # (80 + 100) / 2
    stage_delete(stage=stages[4])
    assert health(Journey, journey.pk) == (80.0, "healthy", 10)
