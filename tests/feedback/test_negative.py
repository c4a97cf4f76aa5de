"""The negative-feedback rule: nps ≤ 6, csat ≤ 2, ces ≤ 3, sentiment ≤ −0.3, or an unresolved or
abandoned outcome. Python (at ingestion) and SQL (over stored rows) must never disagree."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.models import Feedback
from feedback.negative import is_negative, negative_q


@pytest.mark.parametrize(
    ("signals", "negative"),
    [
        ({"nps": 6}, True),
        ({"nps": 7}, False),
        ({"csat": 2}, True),
        ({"csat": 3}, False),
        ({"ces": 3}, True),
        ({"ces": 4}, False),
        ({"sentiment": -0.3}, True),
        ({"sentiment": -0.29}, False),
        ({"outcome": "unresolved"}, True),
        ({"outcome": "abandoned"}, True),
        ({"outcome": "resolved"}, False),
        ({"nps": 10, "csat": 1}, True),  # one bad signal is enough
        ({}, False),
    ],
)
def test_the_rule_at_its_limits(signals, negative):
    values = {"nps": None, "csat": None, "ces": None, "sentiment": None, "outcome": ""}
    assert is_negative(**{**values, **signals}) is negative


signals = st.fixed_dictionaries(
    {
        "nps": st.none() | st.integers(0, 10),
        "csat": st.none() | st.integers(1, 5),
        "ces": st.none() | st.integers(1, 7),
        "sentiment": st.none() | st.floats(-1, 1),
        "outcome": st.sampled_from(["", "resolved", "unresolved", "abandoned"]),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(signals, min_size=1, max_size=8))
def test_python_and_sql_agree(touchpoint, rows):
    Feedback.objects.all().delete()
    stored = Feedback.objects.bulk_create(
        Feedback(
            workspace_id=touchpoint.workspace_id,
            journey_id=touchpoint.journey_id,
            touchpoint=touchpoint,
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            **row,
        )
        for row in rows
    )
    by_sql = set(Feedback.objects.filter(negative_q()).values_list("pk", flat=True))
    by_python = {
        feedback.pk for feedback, row in zip(stored, rows, strict=True) if is_negative(**row)
    }
    assert by_sql == by_python
