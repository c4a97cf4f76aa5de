"""The sentiment of comments that arrive without one: VADER for English, null for the rest, and
the rollups (and at-risk) follow."""

from datetime import timedelta

import pytest

from feedback.models import DailyRollup, DirtyTouchpoint, Feedback
from feedback.rollups import rollup_rebuild
from feedback.sentiment import score_pending_sentiment
from tests.feedback.health_data import TODAY, at, ingest

POSITIVE = "The checkout was quick and easy, I love it!"  # VADER compound 0.8122
NEGATIVE = "This was terrible and awful, I hate it. Worst service ever."  # −0.9313
SPANISH = "El pago fue muy lento y el servicio terrible, no lo recomiendo."


def rollup():
    return DailyRollup.objects.get()


def test_an_english_comment_gets_a_sentiment_and_joins_the_rollup(workspace, touchpoint):
    ingest(workspace, [{"comment": POSITIVE, "nps": 9}], touchpoint_key="checkout")
    feedback = Feedback.objects.get()
    assert (feedback.sentiment, feedback.sentiment_pending) == (None, True)
    assert (rollup().responses, rollup().sentiment_n, rollup().sentiment_sum) == (1, 0, 0.0)
    DirtyTouchpoint.objects.all().delete()

    assert score_pending_sentiment() == 1

    feedback.refresh_from_db()
    assert feedback.sentiment == pytest.approx(0.8122)
    assert (feedback.sentiment_pending, feedback.is_negative) == (False, False)
    assert rollup().sentiment_n == 1
    assert rollup().sentiment_sum == pytest.approx(0.8122)
    assert rollup().negative == 0
    assert DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()
    assert score_pending_sentiment() == 0


def test_a_spanish_comment_stays_without_sentiment(workspace, touchpoint):
    ingest(workspace, [{"comment": SPANISH}], touchpoint_key="checkout")

    assert score_pending_sentiment() == 1

    feedback = Feedback.objects.get()
    assert (feedback.sentiment, feedback.sentiment_pending, feedback.is_negative) == (
        None,
        False,
        False,
    )
    assert (rollup().sentiment_n, rollup().sentiment_sum, rollup().negative) == (0, 0.0, 0)


def test_a_strongly_negative_comment_makes_the_feedback_negative(workspace, touchpoint):
    ingest(workspace, [{"comment": NEGATIVE, "customer_ref": "ana"}], touchpoint_key="checkout")
    assert not Feedback.objects.get().is_negative

    score_pending_sentiment()

    feedback = Feedback.objects.get()
    assert feedback.sentiment == pytest.approx(-0.9313)
    assert feedback.is_negative
    assert (rollup().sentiment_n, rollup().negative) == (1, 1)
    assert rollup().sentiment_sum == pytest.approx(-0.9313)


def test_an_already_negative_row_is_not_counted_twice(workspace, touchpoint):
    ingest(workspace, [{"comment": NEGATIVE, "nps": 0}], touchpoint_key="checkout")
    assert rollup().negative == 1

    score_pending_sentiment()

    assert (rollup().sentiment_n, rollup().negative) == (1, 1)


def test_a_given_sentiment_is_kept(workspace, touchpoint):
    ingest(workspace, [{"comment": NEGATIVE, "sentiment": 0.2}], touchpoint_key="checkout")
    assert not Feedback.objects.get().sentiment_pending
    assert score_pending_sentiment() == 0
    assert Feedback.objects.get().sentiment == 0.2


def test_rollups_after_scoring_match_a_rebuild(workspace, touchpoint):
    day = TODAY - timedelta(days=1)
    ingest(
        workspace,
        [
            {"comment": POSITIVE, "occurred_at": at(day, 9)},
            {"comment": NEGATIVE, "occurred_at": at(day, 10)},
            {"comment": SPANISH, "occurred_at": at(day, 11)},
            {"comment": NEGATIVE, "csat": 1, "occurred_at": at(TODAY, 1)},
            {"sentiment": 0.3, "occurred_at": at(TODAY, 2)},
        ],
        touchpoint_key="checkout",
    )
    score_pending_sentiment()
    fields = ["touchpoint_id", "day", "responses", "sentiment_n", "negative"]
    incremental = list(DailyRollup.objects.order_by("day").values(*fields, "sentiment_sum"))

    rollup_rebuild()

    rebuilt = list(DailyRollup.objects.order_by("day").values(*fields, "sentiment_sum"))
    assert [{k: r[k] for k in fields} for r in rebuilt] == [
        {k: r[k] for k in fields} for r in incremental
    ]
    assert [r["sentiment_sum"] for r in rebuilt] == pytest.approx(
        [r["sentiment_sum"] for r in incremental]
    )
    # the day before: 0.8122 − 0.9313 (the Spanish one stays out); today: −0.9313 + 0.3
    assert [(r["sentiment_n"], r["negative"]) for r in rebuilt] == [(2, 1), (2, 1)]
