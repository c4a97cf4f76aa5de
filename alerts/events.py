"""Recording events (docs/alerts.md): each kind with one INSERT … SELECT that builds the events'
data in the database, from the ids and bands scoring announced, and in the same statement the
deliveries to the webhooks that want them. Called inside the rescore's or the refresh's
transaction, so events commit with the change that caused them; the tasks that deliver them are
published once it commits, and beat sweeps whatever a lost publish leaves behind."""

import orjson
from django.db import connection

from alerts import tasks
from alerts.models import EMAILED, Delivery, Event, EventType, Follow, Webhook
from feedback.models import Feedback
from feedback.publishing import publish_on_commit
from feedback.signals import BandChange
from feedback.window import Window
from journeys.models import Band, Journey
from moments.models import Moment
from touchpoints.models import Touchpoint

TABLES = {
    "event": Event._meta.db_table,
    "delivery": Delivery._meta.db_table,
    "webhook": Webhook._meta.db_table,
    "follow": Follow._meta.db_table,
    "feedback": Feedback._meta.db_table,
    "journey": Journey._meta.db_table,
    "moment": Moment._meta.db_table,
    "touchpoint": Touchpoint._meta.db_table,
}

# `ev` is the events just inserted: their deliveries, and whether anyone follows their journeys.
AFTER_EVENTS = """
, deliveries AS (
    INSERT INTO {delivery} (event_id, webhook_id, status, attempts, next_attempt_at, created_at)
    SELECT ev.id, w.id, 'pending', 0, statement_timestamp(), statement_timestamp()
    FROM ev JOIN {webhook} AS w
        ON w.workspace_id = ev.workspace_id AND w.active AND ev.type = ANY(w.events)
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM deliveries),
    EXISTS (
        SELECT 1 FROM ev JOIN {follow} AS f ON f.journey_id = ev.journey_id
        WHERE ev.type = ANY(%(emailed)s)
    )
"""

TOUCHPOINT_EVENTS = """
WITH c AS (
    SELECT * FROM jsonb_to_recordset(%(changes)s::jsonb)
        AS c(id uuid, old text, new text, score float8)
), d AS (
    SELECT t.workspace_id, t.journey_id, m.types <> '[]' AND c.new = %(critical)s AS critical,
        jsonb_build_object(
            'touchpoint', jsonb_build_object('id', t.id, 'key', t.key, 'name', t.name),
            'journey', jsonb_build_object('id', j.id, 'name', j.name),
            'from', c.old, 'to', c.new, 'score', c.score, 'moments', m.types
        ) AS data
    FROM c
    JOIN {touchpoint} AS t ON t.id = c.id
    JOIN {journey} AS j ON j.id = t.journey_id
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(type ORDER BY type), '[]') AS types
        FROM {moment} WHERE touchpoint_id = t.id
    ) AS m
), ev AS (
    INSERT INTO {event} (workspace_id, journey_id, type, created_at, data)
    SELECT workspace_id, journey_id, %(band_changed)s, statement_timestamp(), data FROM d
    UNION ALL
    SELECT workspace_id, journey_id, %(moment_critical)s, statement_timestamp(), data FROM d WHERE critical
    RETURNING id, workspace_id, journey_id, type
)
"""

JOURNEY_EVENTS = """
WITH c AS (
    SELECT * FROM jsonb_to_recordset(%(changes)s::jsonb)
        AS c(id uuid, old text, new text, score float8)
), ev AS (
    INSERT INTO {event} (workspace_id, journey_id, type, created_at, data)
    SELECT j.workspace_id, j.id, %(journey_band_changed)s, statement_timestamp(), jsonb_build_object(
        'journey', jsonb_build_object('id', j.id, 'name', j.name),
        'from', c.old, 'to', c.new, 'score', c.score
    )
    FROM c JOIN {journey} AS j ON j.id = c.id
    RETURNING id, workspace_id, journey_id, type
)
"""

# The touchpoints of each customer's negative feedback in the window, from the partial index
# the at-risk refresh reads too.
CUSTOMER_EVENTS = """
WITH c AS (
    SELECT * FROM jsonb_to_recordset(%(customers)s::jsonb)
        AS c(customer_ref text, negative_count integer)
), ev AS (
    INSERT INTO {event} (workspace_id, journey_id, type, created_at, data)
    SELECT j.workspace_id, j.id, %(customer_at_risk)s, statement_timestamp(), jsonb_build_object(
        'journey', jsonb_build_object('id', j.id, 'name', j.name),
        'customer_ref', c.customer_ref,
        'negative_count', c.negative_count,
        'touchpoints', (
            SELECT coalesce(
                jsonb_agg(jsonb_build_object('id', t.id, 'key', t.key, 'name', t.name)
                          ORDER BY t.name, t.id),
                '[]')
            FROM {touchpoint} AS t
            WHERE t.id IN (
                SELECT f.touchpoint_id FROM {feedback} AS f
                WHERE f.journey_id = j.id AND f.customer_ref = c.customer_ref AND f.is_negative
                    AND f.occurred_at >= %(start)s AND f.occurred_at < %(end)s
            )
        )
    )
    FROM c CROSS JOIN {journey} AS j WHERE j.id = %(journey)s
    RETURNING id, workspace_id, journey_id, type
)
"""

TYPES = {
    "band_changed": EventType.TOUCHPOINT_BAND_CHANGED.value,
    "moment_critical": EventType.MOMENT_CRITICAL.value,
    "journey_band_changed": EventType.JOURNEY_BAND_CHANGED.value,
    "customer_at_risk": EventType.CUSTOMER_AT_RISK.value,
    "critical": Band.CRITICAL.value,
}


def events_for_touchpoints(*, changes: list[BandChange]) -> None:
    """touchpoint.band_changed for each change, and moment.critical for each touchpoint tagged
    with a moment of truth that entered critical."""
    _record(TOUCHPOINT_EVENTS, changes=_changes_json(changes))


def events_for_journeys(*, changes: list[BandChange]) -> None:
    _record(JOURNEY_EVENTS, changes=_changes_json(changes))


def events_for_customers(*, journey_id, window: Window, customers: list[tuple[str, int]]) -> None:
    rows = [{"customer_ref": ref, "negative_count": count} for ref, count in customers]
    _record(
        CUSTOMER_EVENTS,
        customers=orjson.dumps(rows).decode(),
        journey=journey_id,
        start=window.start,
        end=window.end,
    )


def _changes_json(changes: list[BandChange]) -> str:
    return orjson.dumps([change._asdict() for change in changes]).decode()


def _record(events_sql: str, **params) -> None:
    sql = (events_sql + AFTER_EVENTS).format(**TABLES)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**TYPES, **params, "emailed": [str(t) for t in EMAILED]})
        deliveries, followed = cursor.fetchone()
    if deliveries:
        publish_on_commit(tasks.deliver_pending_task)
    if followed:
        publish_on_commit(tasks.email_followers_task)
