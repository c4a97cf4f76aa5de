"""Archived journeys are left out of the nightly rescore, and scored again when unarchived."""

import pytest

from feedback.models import DirtyTouchpoint
from feedback.tasks import rescore_all_task
from journeys.services import journey_update
from tests.feedback.health_data import freeze_now, ingest
from touchpoints.models import Touchpoint


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


def test_the_nightly_rescore_skips_archived_journeys(
    workspace, journey, touchpoint, foreign_journey
):
    archived = journey_update(journey=foreign_journey, archived=True)
    theirs = archived.touchpoints.create(
        workspace=archived.workspace, stage=archived.stages.first(), key="theirs", name="Theirs"
    )
    ingest(workspace, [{"nps": 10}] * 5, touchpoint_key="checkout")
    ingest(archived.workspace, [{"nps": 10}] * 5, touchpoint_key="theirs")
    DirtyTouchpoint.objects.all().delete()  # as if the rescore after ingestion had been lost

    assert rescore_all_task() == 1
    scores = dict(Touchpoint.objects.values_list("key", "health_score"))
    assert scores == {"checkout": 100.0, "theirs": None}

    journey_update(journey=archived, archived=False)
    assert list(DirtyTouchpoint.objects.values_list("touchpoint_id", flat=True)) == [theirs.pk]
