"""Small checks the API tests share."""

from journeys.models import Journey, Stage
from moments.models import Moment
from touchpoints.models import Touchpoint

JOURNEY_FIELDS = {
    "id",
    "workspace",
    "name",
    "persona",
    "description",
    "version",
    "created_at",
    "updated_at",
    "health",
}
STAGE_FIELDS = {"id", "journey", "name", "kind", "position", "health"}
TOUCHPOINT_FIELDS = {
    "id",
    "journey",
    "stage",
    "key",
    "name",
    "description",
    "channel",
    "owner",
    "position",
    "expected_emotion",
    "pain_points",
    "opportunities",
    "version",
    "moments",
    "health",
}
MOMENT_FIELDS = {"id", "touchpoint", "type", "impact", "rationale", "tagged_by", "created_at"}
NO_HEALTH = {"score": None, "band": "no_data", "n": 0}


def keys_in(stage) -> list[str]:
    """The stage's touchpoint keys in order, after checking that positions run 0..n-1."""
    rows = list(
        Touchpoint.objects.filter(stage=stage).order_by("position").values_list("position", "key")
    )
    assert [position for position, _ in rows] == list(range(len(rows)))
    return [key for _, key in rows]


def stage_names(journey) -> list[str]:
    """The journey's stage names in order, after checking that positions run 0..n-1."""
    rows = list(journey.stages.order_by("position").values_list("position", "name"))
    assert [position for position, _ in rows] == list(range(len(rows)))
    return [name for _, name in rows]


def snapshot() -> dict:
    """Every row the API can write, to assert that a refused request changed nothing."""
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (Journey, Stage, Touchpoint, Moment)
    }
