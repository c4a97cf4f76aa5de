"""Sentiment of comments that arrive without one: VADER for English; other languages stay null,
because VADER's lexicon is English and a wrong number is worse than none."""

from datetime import UTC
from functools import cache

from django.db import transaction
from django.db.models import F

from feedback.at_risk import at_risk_mark_customers
from feedback.models import DailyRollup, Feedback
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
    # Ingestion's order (feedback.ingestion.INSERT_FROM_STAGING): rollups, dirty touchpoints,
    # then customers, each sorted. Any other order deadlocks with a batch stored meanwhile.
    for (touchpoint_id, day), (n, total, negative) in sorted(deltas.items()):
        DailyRollup.objects.filter(touchpoint_id=touchpoint_id, day=day).update(
            sentiment_n=F("sentiment_n") + n,
            sentiment_sum=F("sentiment_sum") + total,
            negative=F("negative") + negative,
        )
    mark_dirty({touchpoint_id for touchpoint_id, _ in deltas})
    if newly_negative:
        at_risk_mark_customers(Feedback.objects.filter(pk__in=newly_negative))
