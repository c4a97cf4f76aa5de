"""The incremental at-risk refresh (feedback.at_risk): between two refreshes of a UTC day only
the customers whose negative feedback changed are found again, and the report stays what a
full recompute from the raw feedback rows finds."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.at_risk import at_risk_customers, at_risk_mark_stale, at_risk_refresh_stale
from feedback.models import AtRiskDirtyCustomer, Feedback
from feedback.negative import is_negative
from feedback.rollups import rollup_rebuild
from feedback.sentiment import score_pending_sentiment
from feedback.signals import customers_at_risk
from feedback.window import window_bounds
from journeys.services import journey_create, stage_delete
from tests.feedback.health_data import NOW, each, freeze_now, ingest
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create, touchpoint_delete
from workspaces.models import Workspace


@pytest.fixture
def heard():
    """The customers each refresh announced, as [(customer_ref, negative_count)] per refresh."""
    announced = []

    def receiver(sender, *, customers, **kwargs):
        announced.append(sorted(customers))

    customers_at_risk.connect(receiver)
    yield announced
    customers_at_risk.disconnect(receiver)


def refreshed(journey) -> dict:
    """The report after the worker's refresh that follows a rescore of the journey."""
    at_risk_mark_stale([journey.pk])
    at_risk_refresh_stale()
    return at_risk_customers(journey, limit=1000)


def counts(report: dict) -> list[tuple]:
    return [(c["customer_ref"], c["negative_count"]) for c in report["customers"]]


def hotspots(report: dict) -> list[tuple]:
    return [(h["key"], h["negative_count"]) for h in report["hotspots"]]


def test_a_third_bad_experience_crosses_the_threshold(
    monkeypatch, workspace, journey, touchpoint, delivery, heard
):
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="checkout", customer_ref="ana")
    ingest(workspace, each("nps", [0, 0, 0]), touchpoint_key="delivery", customer_ref="ben")
    first = refreshed(journey)  # the journey's first refresh: all its customers
    assert counts(first) == [("ben", 3)]
    assert heard == [[("ben", 3)]]
    assert not AtRiskDirtyCustomer.objects.exists()

    ingest(workspace, [{"csat": 1}], touchpoint_key="delivery", customer_ref="ana")
    assert list(AtRiskDirtyCustomer.objects.values_list("customer_ref", flat=True)) == ["ana"]
    report = refreshed(journey)

    assert report["customer_count"] == 2
    # ben 3 and ana 3: ties by last_at, ana's csat came an hour ago like ben's
    assert sorted(counts(report)) == [("ana", 3), ("ben", 3)]
    # checkout: ana 2; delivery: ben 3 + ana 1 = 4
    assert hotspots(report) == [("delivery", 4), ("checkout", 2)]
    assert heard == [[("ben", 3)], [("ana", 3)]]  # ben is not announced again
    assert not AtRiskDirtyCustomer.objects.exists()


def test_a_refresh_of_the_same_day_finds_only_the_marked_customers(
    monkeypatch, workspace, journey, touchpoint
):
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1, 1, 1]), touchpoint_key="checkout", customer_ref="ana")
    assert counts(refreshed(journey)) == [("ana", 3)]
    # Rows written behind the paths' backs (not by ingestion) mark nobody: ben is not found
    # until the next day's refresh finds everyone again.
    Feedback.objects.bulk_create(
        Feedback(
            workspace=workspace,
            journey=journey,
            touchpoint=touchpoint,
            occurred_at=NOW - timedelta(hours=2),
            customer_ref="ben",
            nps=0,
            is_negative=True,
        )
        for _ in range(3)
    )
    assert counts(refreshed(journey)) == [("ana", 3)]

    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(days=1))
    assert sorted(counts(refreshed(journey))) == [("ana", 3), ("ben", 3)]


def test_a_customer_whose_bad_experience_leaves_the_window_leaves(
    monkeypatch, workspace, journey, touchpoint
):
    freeze_now(monkeypatch)
    # The window holds the last 90 UTC days; the oldest of the three is on its first day.
    ingest(
        workspace,
        [
            {"nps": 0, "occurred_at": (NOW - timedelta(days=days)).isoformat()}
            for days in (89, 5, 1)
        ],
        touchpoint_key="checkout",
        customer_ref="ana",
    )
    assert counts(refreshed(journey)) == [("ana", 3)]

    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(days=1))
    report = refreshed(journey)
    assert (report["customer_count"], report["customers"], report["hotspots"]) == (0, [], [])


@pytest.mark.parametrize("deleted", ["touchpoint", "stage"])
def test_deleting_a_touchpoint_takes_its_bad_experiences_away(
    monkeypatch, workspace, journey, touchpoint, delivery, deleted
):
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="delivery", customer_ref="ana")
    ingest(workspace, each("nps", [3]), touchpoint_key="checkout", customer_ref="ana")
    ingest(workspace, each("nps", [0, 0, 0]), touchpoint_key="checkout", customer_ref="ben")
    assert hotspots(refreshed(journey)) == [("checkout", 4), ("delivery", 2)]

    if deleted == "stage":  # its touchpoints go with it
        assert delivery.stage.touchpoints.get() == delivery
        stage_delete(stage=delivery.stage)
    else:
        touchpoint_delete(touchpoint=delivery)
    assert list(AtRiskDirtyCustomer.objects.values_list("customer_ref", flat=True)) == ["ana"]
    at_risk_refresh_stale()  # the deletion marked the report stale: no rescore needed
    report = at_risk_customers(journey)

    # ana has 1 bad experience left; ben's 3 at checkout stay
    assert counts(report) == [("ben", 3)]
    assert report["customer_count"] == 1
    assert hotspots(report) == [("checkout", 3)]


def test_a_comment_scored_negative_counts(monkeypatch, workspace, journey, touchpoint):
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1, 2]), touchpoint_key="checkout", customer_ref="ana")
    ingest(
        workspace,
        [{"comment": "Terrible service, I hate it, the worst and awful."}],
        touchpoint_key="checkout",
        customer_ref="ana",
    )
    assert counts(refreshed(journey)) == []

    assert score_pending_sentiment() == 1
    assert counts(refreshed(journey)) == [("ana", 3)]


def test_a_rebuild_that_mends_the_stored_flag_marks_the_customer(
    monkeypatch, workspace, journey, touchpoint
):
    freeze_now(monkeypatch)
    ingest(workspace, each("nps", [1, 2, 3]), touchpoint_key="checkout", customer_ref="ana")
    Feedback.objects.filter(customer_ref="ana").update(is_negative=False)
    assert counts(refreshed(journey)) == []  # the first refresh reads the stored (wrong) flag

    rollup_rebuild()
    assert counts(refreshed(journey)) == [("ana", 3)]


# Any sequence of ingests, touchpoint deletions and days going by: the incremental report is
# the full recompute from the raw rows, and each refresh announces exactly who crossed.

CUSTOMERS = ["ana", "ben", "cleo"]
KEYS = ["checkout", "delivery", "returns"]
experiences = st.tuples(
    st.sampled_from(CUSTOMERS),
    st.sampled_from(KEYS),
    st.booleans(),  # negative
    st.sampled_from([0, 1, 2, 88, 89, 90]),  # days ago
)
steps = st.one_of(
    st.tuples(st.just("ingest"), st.lists(experiences, min_size=1, max_size=5)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS)),
    st.tuples(st.just("next day"), st.none()),
)


def from_raw_rows(journey, now) -> dict:
    """What a full recompute over the raw rows finds: {customer: (count, last_at, keys)} and
    the hotspots, with the negative rule applied to the stored values."""
    window = window_bounds(journey.workspace.window_days, now.date())
    bad = defaultdict(list)
    for feedback in Feedback.objects.filter(
        journey=journey, occurred_at__gte=window.start, occurred_at__lt=window.end
    ).select_related("touchpoint"):
        signals = (feedback.nps, feedback.csat, feedback.ces, feedback.sentiment, feedback.outcome)
        if feedback.customer_ref and is_negative(*signals):
            bad[feedback.customer_ref].append(feedback)
    at_risk = {ref: rows for ref, rows in bad.items() if len(rows) >= 3}
    return {
        "customers": {
            ref: (
                len(rows),
                max(f.occurred_at for f in rows),
                sorted({f.touchpoint.key for f in rows}),
            )
            for ref, rows in at_risk.items()
        },
        "hotspots": Counter(f.touchpoint.key for rows in at_risk.values() for f in rows),
    }


def as_stored(report: dict) -> dict:
    return {
        "customers": {
            c["customer_ref"]: (
                c["negative_count"],
                c["last_at"],
                sorted(t["key"] for t in c["touchpoints"]),
            )
            for c in report["customers"]
        },
        "hotspots": Counter(dict(hotspots(report))),
    }


@pytest.mark.django_db
@given(sequence=st.lists(steps, min_size=1, max_size=8))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_incremental_report_is_the_full_recompute(monkeypatch, heard, sequence):
    clock = [NOW]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    heard.clear()
    with transaction.atomic():
        workspace = Workspace.objects.create(slug="property", name="Property")
        journey = journey_create(workspace=workspace, name="Online purchase")
        stage = journey.stages.first()
        before: set = set()
        for step, argument in sequence:
            if step == "ingest":
                for customer, key, negative, days_ago in argument:
                    if not Touchpoint.objects.filter(journey=journey, key=key).exists():
                        touchpoint_create(stage=stage, name=key.title(), key=key)
                    when = clock[0] - timedelta(days=days_ago, hours=1)
                    ingest(
                        workspace,
                        [{"nps": 0 if negative else 10, "occurred_at": when.isoformat()}],
                        touchpoint_key=key,
                        customer_ref=customer,
                    )
            elif step == "delete":
                for touchpoint in Touchpoint.objects.filter(journey=journey, key=argument):
                    touchpoint_delete(touchpoint=touchpoint)
            else:
                clock[0] += timedelta(days=1)
            heard.clear()
            report = refreshed(journey)
            expected = from_raw_rows(journey, clock[0])

            assert as_stored(report) == expected
            assert report["customer_count"] == len(expected["customers"])
            crossed = sorted(
                (ref, count)
                for ref, (count, _, _) in expected["customers"].items()
                if ref not in before
            )
            assert heard == ([crossed] if crossed else [])
            before = set(expected["customers"])
        transaction.set_rollback(True)
