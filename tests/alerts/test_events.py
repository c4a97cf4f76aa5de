"""Events as the rescore and the at-risk refresh record them (docs/alerts.md): their data, the
deliveries they get, and nothing when nothing changed."""

import pytest

from alerts.models import Delivery, Event
from alerts.services import webhook_create
from feedback.at_risk import at_risk_refresh_stale
from feedback.scoring import rescore_touchpoints
from tests.feedback.health_data import freeze_now, ingest


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


def by_type() -> dict:
    return {event.type: event for event in Event.objects.order_by("id")}


def refs(*touchpoints) -> list[dict]:
    return [{"id": str(tp.pk), "key": tp.key, "name": tp.name} for tp in touchpoints]


def test_a_moment_of_truth_turning_critical(workspace, journey, touchpoint, moment):
    ingest(workspace, [{"nps": 1}] * 5, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])

    events = by_type()
    assert set(events) == {"touchpoint.band_changed", "moment.critical", "journey.band_changed"}
    # Five detractors of five: (0 − 5) / 5 × 100 = −100 → (−100 + 100) / 2 = 0.0
    expected = {
        "touchpoint": refs(touchpoint)[0],
        "journey": {"id": str(journey.pk), "name": "Online purchase"},
        "from": "no_data",
        "to": "critical",
        "score": 0.0,
        "moments": ["fmot"],
    }
    assert events["moment.critical"].data == expected
    assert events["touchpoint.band_changed"].data == expected
    assert events["journey.band_changed"].data == {
        "journey": {"id": str(journey.pk), "name": "Online purchase"},
        "from": "no_data",
        "to": "critical",
        "score": 0.0,
    }
    assert {e.workspace_id for e in events.values()} == {workspace.pk}
    assert {e.journey_id for e in events.values()} == {journey.pk}

    rescore_touchpoints([touchpoint.pk])  # nothing changed: nothing recorded
    assert Event.objects.count() == 3


def test_an_untagged_touchpoint_turning_critical_is_no_moment(workspace, touchpoint):
    ingest(workspace, [{"nps": 1}] * 5, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])
    assert set(by_type()) == {"touchpoint.band_changed", "journey.band_changed"}


def test_a_customer_crossing_the_threshold(workspace, journey, touchpoint, delivery):
    ingest(workspace, [{"nps": 2}] * 2, touchpoint_key="checkout", customer_ref="ana")
    ingest(workspace, [{"csat": 1}], touchpoint_key="delivery", customer_ref="ana")
    ingest(workspace, [{"nps": 2}] * 2, touchpoint_key="delivery", customer_ref="ben")
    rescore_touchpoints([touchpoint.pk, delivery.pk])
    at_risk_refresh_stale()

    [event] = Event.objects.filter(type="customer.at_risk")
    assert event.data == {
        "journey": {"id": str(journey.pk), "name": "Online purchase"},
        "customer_ref": "ana",
        "negative_count": 3,
        "touchpoints": refs(touchpoint, delivery),  # by name
    }

    rescore_touchpoints([touchpoint.pk])
    at_risk_refresh_stale()  # ana is still at risk: no second event
    assert Event.objects.filter(type="customer.at_risk").count() == 1


def test_deliveries_go_to_the_active_webhooks_that_want_the_type(
    workspace, other_workspace, touchpoint, moment
):
    wanted, _ = webhook_create(
        workspace=workspace, url="https://1.1.1.1/a", events=["moment.critical"]
    )
    webhook_create(workspace=workspace, url="https://1.1.1.1/b", events=["customer.at_risk"])
    webhook_create(
        workspace=workspace, url="https://1.1.1.1/c", events=["moment.critical"], active=False
    )
    webhook_create(workspace=other_workspace, url="https://1.1.1.1/d", events=["moment.critical"])
    ingest(workspace, [{"nps": 1}] * 5, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])

    [delivery] = Delivery.objects.all()
    assert (delivery.webhook, delivery.event.type, delivery.status) == (
        wanted,
        "moment.critical",
        "pending",
    )
