"""Sentiment of comments that arrive without one: VADER for English; other languages stay null,
because VADER's lexicon is English and a wrong number is worse than none."""

from datetime import UTC
from functools import cache

from django.db import connection, transaction

from feedback.at_risk import at_risk_mark_customers
from feedback.models import Feedback
from feedback.negative import is_negative
from feedback.scoring import mark_dirty

BATCH = 2000
# Languages the detector chooses among; a short comment is only scored when it reads as English.
CANDIDATE_LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "nl"]
NEGATIVE_INPUTS = ["nps", "csat", "ces", "sentiment", "outcome"]


@cache  # loaded on first use: only the workers score sentiment
def _analyzer():
    import py3langid
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    py3langid.set_languages(CANDIDATE_LANGUAGES)
    return py3langid, SentimentIntensityAnalyzer()


def comment_sentiment(comment: str) -> float | None:
    """VADER's compound score (−1 … 1) for an English comment; None for any other language."""
    langid, vader = _analyzer()
    if langid.classify(comment)[0] != "en":
        return None
    return round(vader.polarity_scores(comment)["compound"], 4)


def score_pending_sentiment() -> int:
    """Scores waiting comments a batch at a time; each batch updates the rows, adds them to
    their rollups and marks their touchpoints dirty in one transaction."""
    total = 0
    while True:
        with transaction.atomic():
            pending = list(
                Feedback.objects.select_for_update(skip_locked=True)
                .filter(sentiment_pending=True)
                .only(*NEGATIVE_INPUTS, "touchpoint_id", "occurred_at", "comment", "is_negative")[
                    :BATCH
                ]
            )
            if not pending:
                return total
            scored = []
            for feedback in pending:
                feedback.sentiment_pending = False
                feedback.sentiment = comment_sentiment(feedback.comment)
                if feedback.sentiment is not None:
                    scored.append(feedback)
            Feedback.objects.bulk_update(
                pending, ["sentiment", "sentiment_pending"], batch_size=BATCH
            )
            add_to_rollups(scored)
            total += len(pending)


# One statement for every (touchpoint, day) of a batch: with an UPDATE each, the rollups stayed
# locked for as many round trips, and an import under load spent about half its time waiting
# on them (pg_stat_activity, sampled). The rows are locked in ingestion's order (rollups
# sorted, then dirty touchpoints, as feedback.ingestion.INSERT_FROM_STAGING takes them): any
# other order deadlocks with a batch stored meanwhile.
ROLLUPS_ADD_SENTIMENT = """
WITH delta AS (
    SELECT * FROM unnest(%s::uuid[], %s::date[], %s::int[], %s::float8[], %s::int[])
        AS d(touchpoint_id, day, n, total, negative)
), locked AS MATERIALIZED (
    SELECT rollup.id, delta.n, delta.total, delta.negative
    FROM feedback_dailyrollup rollup JOIN delta USING (touchpoint_id, day)
    ORDER BY rollup.touchpoint_id, rollup.day
    FOR NO KEY UPDATE OF rollup
)
UPDATE feedback_dailyrollup rollup SET
    sentiment_n = rollup.sentiment_n + locked.n,
    sentiment_sum = rollup.sentiment_sum + locked.total,
    negative = rollup.negative + locked.negative
FROM locked WHERE rollup.id = locked.id
"""


def add_to_rollups(scored: list[Feedback]) -> None:
    """Adds newly known sentiments to the rollups; a row that turns negative counts as such."""
    deltas: dict[tuple, list] = {}
    newly_negative = []
    for feedback in scored:
        key = (feedback.touchpoint_id, feedback.occurred_at.astimezone(UTC).date())
        delta = deltas.setdefault(key, [0, 0.0, 0])
        delta[0] += 1
        delta[1] += feedback.sentiment
        inputs = (getattr(feedback, name) for name in NEGATIVE_INPUTS)
        if not feedback.is_negative and is_negative(*inputs):
            delta[2] += 1
            newly_negative.append(feedback.pk)
    if newly_negative:
        Feedback.objects.filter(pk__in=newly_negative).update(is_negative=True)
    rows = [(*key, *change) for key, change in deltas.items()]
    if rows:
        with connection.cursor() as cursor:
            cursor.execute(
                ROLLUPS_ADD_SENTIMENT, [list(column) for column in zip(*rows, strict=True)]
            )
    mark_dirty({touchpoint_id for touchpoint_id, _ in deltas})
    if newly_negative:
        at_risk_mark_customers(Feedback.objects.filter(pk__in=newly_negative))
