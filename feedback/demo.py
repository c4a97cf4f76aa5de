"""Synthetic feedback for the demo journeys: ~5,000 records over 120 days, from touchpoints
that range from healthy to critical, and customers of whom some have had three bad experiences."""

import random
from datetime import UTC, datetime, timedelta

from feedback.at_risk import at_risk_refresh_stale
from feedback.ingestion import feedback_ingest
from feedback.scoring import mark_dirty, rescore_dirty, snapshots_backfill
from feedback.sentiment import score_pending_sentiment
from touchpoints.models import Touchpoint
from workspaces.models import Workspace

RECORDS = 5000
DAYS = 120
CUSTOMERS = 2500
# Chance that an experience at the touchpoint is a good one.
QUALITY = {
    "web-search": 0.8,
    "social-ads": 0.6,
    "reviews-site": 0.55,
    "product-page": 0.85,
    "checkout-payment": 0.35,
    "order-confirmation": 0.9,
    "order-status-sms": 0.6,
    "home-delivery": 0.5,
    "chat-support": 0.3,
    "post-sale-survey": 0.7,
    "loyalty-programme": 0.65,
    "referral-programme": 0.8,
    "public-reviews": 0.4,
    "first-contact": 0.6,
    "product-selection": 0.75,
    "payment": 0.45,
    "delivery": 0.55,
    "after-sales-service": 0.3,
}
# How much better (+) or worse (−) each touchpoint got over the 120 days, so trends show.
TREND = {
    "checkout-payment": -0.35,
    "home-delivery": -0.2,
    "chat-support": 0.35,
    "after-sales-service": 0.3,
    "product-page": 0.1,
    "payment": -0.25,
}
SERVICE_CHANNELS = {"chat", "phone", "contact_center"}
GOOD_COMMENTS = [
    "Quick and easy, thank you!",
    "Great service, the agent was very helpful.",
    "Everything arrived on time and well packed.",
    "Love the product, works perfectly.",
    "Muy buen servicio, todo perfecto.",
    "Rápido y sencillo, gracias.",
]
BAD_COMMENTS = [
    "Terrible experience, the payment failed twice.",
    "Nobody answered my question, very disappointing.",
    "The delivery was late and the box was damaged.",
    "I waited 40 minutes on the phone. Awful.",
    "El pedido llegó tarde y nadie me respondió.",
    "Pésima atención, no volveré a comprar.",
]


def demo_item(rng: random.Random, index: int, touchpoint: Touchpoint, now: datetime) -> dict:
    age = rng.randrange(DAYS * 86400)
    # QUALITY is the level today; TREND says how it changed since 120 days ago.
    quality = QUALITY.get(touchpoint.key, 0.6) - TREND.get(touchpoint.key, 0) * age / (DAYS * 86400)
    good = rng.random() < quality
    item = {
        "external_id": f"demo-{index}",
        "touchpoint": str(touchpoint.pk),
        "occurred_at": (now - timedelta(seconds=age)).isoformat(),
        "customer_ref": f"CUST-{rng.randrange(CUSTOMERS):05d}",
        "channel": touchpoint.channel,
        "source": "demo",
        "nps": rng.choice([9, 10, 10, 8]) if good else rng.choice([0, 2, 4, 5, 6, 7]),
    }
    if rng.random() < 0.7:
        item["csat"] = rng.choice([4, 5, 5]) if good else rng.choice([1, 2, 3])
    if rng.random() < 0.5:
        item["ces"] = rng.choice([5, 6, 7]) if good else rng.choice([1, 2, 3, 4])
    if touchpoint.channel in SERVICE_CHANNELS:
        item["outcome"] = "resolved" if good else rng.choice(["unresolved", "abandoned"])
    if rng.random() < 0.3:
        item["comment"] = rng.choice(GOOD_COMMENTS if good else BAD_COMMENTS)
    return item


def demo_feedback_load(workspace: Workspace) -> int:
    """Loads the demo feedback (again: external ids make it idempotent) and scores it, with
    90 days of history. Returns the records added."""
    rng = random.Random(2026)
    touchpoints = list(Touchpoint.objects.filter(workspace=workspace).order_by("journey", "key"))
    now = datetime.now(UTC)
    items = [demo_item(rng, i, rng.choice(touchpoints), now) for i in range(RECORDS)]
    added = sum(
        feedback_ingest(workspace=workspace, items=items[start : start + 1000]).accepted
        for start in range(0, len(items), 1000)
    )
    if added:
        score_pending_sentiment()
        snapshots_backfill(workspace, days=workspace.window_days)
        mark_dirty(tp.pk for tp in touchpoints)
        rescore_dirty()
        at_risk_refresh_stale()
    return added
