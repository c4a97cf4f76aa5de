from types import SimpleNamespace

import pytest

from moments.models import Moment
from touchpoints.services import touchpoint_create


@pytest.fixture
def objs(journey, stages, touchpoint, moment):
    """The owner's objects, for URL templates such as "/api/v1/stages/{stage.id}/"."""
    return SimpleNamespace(journey=journey, stage=stages[0], touchpoint=touchpoint, moment=moment)


@pytest.fixture
def foreign(foreign_journey, foreign_touchpoint, foreign_moment):
    """The outsider's objects, shaped like `objs`."""
    return SimpleNamespace(
        journey=foreign_journey,
        stage=foreign_touchpoint.stage,
        touchpoint=foreign_touchpoint,
        moment=foreign_moment,
    )


@pytest.fixture
def fill(stages):
    """fill(n): n touchpoints spread over the journey's stages, every other one tagged."""

    def make(n: int) -> None:
        for i in range(n):
            tp = touchpoint_create(stage=stages[i % len(stages)], name=f"Touchpoint {i}")
            if i % 2:
                Moment.objects.create(touchpoint=tp, type="smot", impact=3)

    return make
