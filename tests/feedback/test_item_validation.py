"""Any JSON value in any field of a feedback item is accepted or rejected with a message: no
exception escapes the validator, whatever arrives."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.ingestion import FIELDS, TouchpointIndex, field_checks, validate_item

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Real field names with any value, beside unknown names: the validator sees both.
items = st.dictionaries(st.sampled_from(sorted(FIELDS)) | st.text(max_size=10), json_values)
PROFILE = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check(workspace, item):
    index = TouchpointIndex(workspace, [item])
    row, errors = validate_item(item, workspace.pk, index, field_checks(datetime.now(UTC)))
    assert (row is None) == bool(errors)
    assert all(isinstance(messages, list) and messages for messages in errors.values())
    return row, errors


@PROFILE
@given(item=items)
def test_any_json_object_is_accepted_or_rejected(workspace, touchpoint, item):
    check(workspace, item)


@PROFILE
@given(item=json_values)
def test_any_json_value_is_rejected_unless_an_object(workspace, item):
    row, errors = check(workspace, item)
    if not isinstance(item, dict):
        assert errors == {"non_field_errors": ["Each item must be a JSON object."]}


@PROFILE
@given(value=json_values, field=st.sampled_from(sorted(FIELDS)))
def test_one_bad_value_rejects_only_its_field(workspace, touchpoint, value, field):
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 9}
    item[field] = value
    row, errors = check(workspace, item)
    assert set(errors) <= {field, "non_field_errors", "touchpoint", "touchpoint_key"}


def test_deeply_nested_metadata_is_rejected(workspace, touchpoint):
    nested = {}
    for _ in range(600):
        nested = {"a": nested}
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 9}
    row, errors = check(workspace, {**item, "metadata": nested})
    assert row is None and list(errors) == ["metadata"]


def test_tricky_numbers_are_rejected_with_a_message(workspace, touchpoint):
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z"}
    for nps in ("--5", "²", "٣", "1_0", " 7 ", "+8", "1e1", 10**40, 9.5, True):
        row, errors = check(workspace, {**item, "nps": nps})
        accepted = nps in (" 7 ", "+8")
        assert (row is not None) is accepted, nps
        if not accepted:
            assert list(errors) == ["nps"], nps


def test_errors_come_in_one_order_whatever_the_items_order(workspace, touchpoint):
    item = {
        "csat": 9,
        "colour": "blue",
        "touchpoint_key": "nowhere",
        "nps": "ten",
        "shape": "round",
        "channel": "fax",
    }
    row, errors = check(workspace, item)
    assert list(errors) == [
        "colour",
        "shape",
        "touchpoint_key",
        "occurred_at",
        "channel",
        "nps",
        "csat",
    ]
    reversed_item = dict(reversed(item.items()))
    assert list(check(workspace, reversed_item)[1]) == [
        "shape",
        "colour",
        "touchpoint_key",
        "occurred_at",
        "channel",
        "nps",
        "csat",
    ]
