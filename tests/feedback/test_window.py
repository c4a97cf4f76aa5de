"""The scoring window: the last W whole UTC days, today included."""

from datetime import UTC, date, datetime

from feedback.window import window_bounds


def test_the_window_is_whole_utc_days_ending_today():
    window = window_bounds(90, date(2026, 12, 1))
    # 90 days: 3 Sep … 1 Dec (28 days of September left + 31 + 30 + 1 = 90)
    assert (window.first_day, window.last_day) == (date(2026, 9, 3), date(2026, 12, 1))
    assert window.start == datetime(2026, 9, 3, tzinfo=UTC)
    assert window.end == datetime(2026, 12, 2, tzinfo=UTC)


def test_a_one_day_window_is_today():
    window = window_bounds(1, date(2026, 3, 1))
    assert (window.first_day, window.last_day) == (date(2026, 3, 1), date(2026, 3, 1))
    assert window.end == datetime(2026, 3, 2, tzinfo=UTC)
