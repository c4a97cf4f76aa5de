"""What scoring tells the layers above it: the touchpoints and journeys whose band a rescore
changed, with the band before and after, and the customers a refresh found newly at risk. A
rescore that changes nothing says nothing."""

import pytest

from feedback.at_risk import at_risk_refresh_stale
from feedback.scoring import rescore_touchpoints
from feedback.signals import (
    BandChange,
    customers_at_risk,
    journey_bands_changed,
    touchpoint_bands_changed,
)
from tests.feedback.health_data import freeze_now, ingest


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    freeze_now(monkeypatch)


@pytest.fixture
def heard():
    """Every signal sent, as (name, kwargs), while the test runs."""
    sent = []
    receivers = {}
    for name, signal in [
        ("touchpoints", touchpoint_bands_changed),
        ("journeys", journey_bands_changed),
        ("customers", customers_at_risk),
    ]:

        def receiver(sender, name=name, **kwargs):
            kwargs.pop("signal")
            sent.append((name, kwargs))

        receivers[name] = receiver
        signal.connect(receiver, weak=False)
    yield sent
    touchpoint_bands_changed.disconnect(receivers["touchpoints"])
    journey_bands_changed.disconnect(receivers["journeys"])
    customers_at_risk.disconnect(receivers["customers"])


def test_a_rescore_announces_the_bands_it_changed_and_only_those(
    workspace, journey, touchpoint, delivery, heard
):
    ingest(workspace, [{"nps": 10}] * 5, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk, delivery.pk])
    assert heard == [
        ("touchpoints", {"changes": [BandChange(touchpoint.pk, "no_data", "healthy", 100.0)]}),
        ("journeys", {"changes": [BandChange(journey.pk, "no_data", "healthy", 100.0)]}),
    ]

    heard.clear()
    rescore_touchpoints([touchpoint.pk, delivery.pk])
    assert heard == []  # nothing changed

    # 5 promoters and 10 detractors: (5 − 10) / 15 × 100 = −33.3 → (−33.3 + 100) / 2 = 33.3
    ingest(workspace, [{"nps": 2}] * 10, touchpoint_key="checkout")
    rescore_touchpoints([touchpoint.pk])
    assert heard == [
        ("touchpoints", {"changes": [BandChange(touchpoint.pk, "healthy", "critical", 33.3)]}),
        ("journeys", {"changes": [BandChange(journey.pk, "healthy", "critical", 33.3)]}),
    ]


def test_a_refresh_announces_customers_who_cross_the_threshold_once(
    workspace, journey, touchpoint, heard
):
    ingest(workspace, [{"nps": 1}] * 3, touchpoint_key="checkout", customer_ref="ana")
    ingest(workspace, [{"nps": 1}] * 2, touchpoint_key="checkout", customer_ref="ben")
    rescore_touchpoints([touchpoint.pk])
    heard.clear()
    at_risk_refresh_stale()
    [(name, kwargs)] = heard
    assert name == "customers"
    assert kwargs["journey_id"] == journey.pk
    assert kwargs["customers"] == [("ana", 3)]

    heard.clear()
    ingest(workspace, [{"nps": 1}], touchpoint_key="checkout", customer_ref="ana")
    ingest(workspace, [{"nps": 1}], touchpoint_key="checkout", customer_ref="ben")
    rescore_touchpoints([touchpoint.pk])
    at_risk_refresh_stale()
    assert [kwargs["customers"] for name, kwargs in heard if name == "customers"] == [[("ben", 3)]]
