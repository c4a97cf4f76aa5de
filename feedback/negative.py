"""The negative-feedback rule of docs/health.md, the one definition for Python and SQL: a
feedback is negative when nps ≤ 6, csat ≤ 2, ces ≤ 3, sentiment ≤ −0.3, or its outcome is
unresolved or abandoned. Three negative experiences in the window put a customer at risk."""

from django.db.models import Q

from feedback.models import Outcome

NPS_AT_MOST = 6
CSAT_AT_MOST = 2
CES_AT_MOST = 3
SENTIMENT_AT_MOST = -0.3
NEGATIVE_OUTCOMES = (Outcome.UNRESOLVED, Outcome.ABANDONED)


def is_negative(nps, csat, ces, sentiment, outcome) -> bool:
    """For one validated item (None where a signal is absent): called per row at ingestion."""
    return (
        (nps is not None and nps <= NPS_AT_MOST)
        or (csat is not None and csat <= CSAT_AT_MOST)
        or (ces is not None and ces <= CES_AT_MOST)
        or (sentiment is not None and sentiment <= SENTIMENT_AT_MOST)
        or outcome in NEGATIVE_OUTCOMES
    )


def negative_q() -> Q:
    """The same rule over stored feedback rows, for the database to evaluate."""
    return (
        Q(nps__lte=NPS_AT_MOST)
        | Q(csat__lte=CSAT_AT_MOST)
        | Q(ces__lte=CES_AT_MOST)
        | Q(sentiment__lte=SENTIMENT_AT_MOST)
        | Q(outcome__in=NEGATIVE_OUTCOMES)
    )
