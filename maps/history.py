"""A journey's audit trail: the events that the triggers of journeys, stages, touchpoints and
moments recorded (workspaces/audit.py), composed into one list, newest first, deleted objects
included. A page is one query, and counting them another, whatever the history's size."""

from dataclasses import dataclass
from uuid import UUID

import orjson
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from journeys.lanes import lane_title
from journeys.models import JOURNEY_AUDITED, STAGE_AUDITED, JourneyEvent, StageEvent, StageKind
from moments.models import MOMENT_AUDITED, MOMENT_SHORT_LABELS, MomentEvent, MomentType
from touchpoints.forms import EMOTION_CHOICES
from touchpoints.forms import LABELS as TOUCHPOINT_LABELS
from touchpoints.models import CHANNEL_LABELS, TOUCHPOINT_AUDITED, Touchpoint, TouchpointEvent

ACTIONS = ["created", "changed", "deleted"]  # the labels of the events; "baseline" is not listed


@dataclass(frozen=True)
class Tracked:
    event_model: type
    fields: list[str]  # what an event shows: the audited fields but the parent's reference
    where: str  # the events of the journey %(journey)s


TRACKED = {
    "journey": Tracked(JourneyEvent, JOURNEY_AUDITED, "e.pgh_obj_id = %(journey)s"),
    "stage": Tracked(
        StageEvent, [f for f in STAGE_AUDITED if f != "journey"], "e.journey_id = %(journey)s"
    ),
    "touchpoint": Tracked(
        TouchpointEvent,
        [f for f in TOUCHPOINT_AUDITED if f != "journey"],
        "e.journey_id = %(journey)s",
    ),
    # A moment names no journey: its touchpoint does, even deleted (its events keep it).
    "moment": Tracked(
        MomentEvent,
        [f for f in MOMENT_AUDITED if f != "touchpoint"],
        "e.touchpoint_id IN (SELECT id FROM journey_touchpoints)",
    ),
}


def _table(tracked: Tracked) -> str:
    return tracked.event_model._meta.db_table


def _data(tracked: Tracked, alias: str) -> str:
    """The shown fields of an event row as one JSON object, keyed by field name."""
    meta = tracked.event_model._meta
    pairs = ", ".join(
        f"'{name}', {alias}.\"{meta.get_field(name).column}\"" for name in tracked.fields
    )
    return f"jsonb_build_object({pairs})"


def _events(type_: str, tracked: Tracked) -> str:
    return (
        f"SELECT '{type_}' AS type, e.pgh_id, e.pgh_created_at AS at FROM {_table(tracked)} e"
        f" WHERE {tracked.where} AND e.pgh_label = ANY(%(actions)s)"
    )


# A moment's touchpoint by its name as it is, or as it was last when deleted.
TOUCHPOINT_NAME = f"""COALESCE(
    (SELECT t.name FROM {Touchpoint._meta.db_table} t WHERE t.id = e.touchpoint_id),
    (SELECT t.name FROM {_table(TRACKED["touchpoint"])} t WHERE t.pgh_obj_id = e.touchpoint_id
     ORDER BY t.pgh_id DESC LIMIT 1))"""


def _event_of_page(type_: str, tracked: Tracked) -> str:
    """The page's event of this type with what the object was before it (the event before, of
    the same object: the "from" of a change)."""
    table = _table(tracked)
    touchpoint_name = TOUCHPOINT_NAME if type_ == "moment" else "NULL::text"
    return f"""
    SELECT e.pgh_label AS label, e.pgh_obj_id AS object_id, e.pgh_context->>'actor' AS actor,
           {_data(tracked, "e")} AS data,
           (SELECT {_data(tracked, "p")} FROM {table} p
            WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id
            ORDER BY p.pgh_id DESC LIMIT 1) AS previous,
           {touchpoint_name} AS touchpoint_name
    FROM {table} e WHERE page.type = '{type_}' AND e.pgh_id = page.pgh_id"""


EVENTS = f"""
WITH journey_touchpoints AS (
    SELECT id FROM {Touchpoint._meta.db_table} WHERE journey_id = %(journey)s
    UNION SELECT pgh_obj_id FROM {_table(TRACKED["touchpoint"])} WHERE journey_id = %(journey)s
), events AS (
    {" UNION ALL ".join(_events(type_, tracked) for type_, tracked in TRACKED.items())}
)"""
COUNT = EVENTS + " SELECT count(*) FROM events"
# The page first (sorting only the events' keys), then the rows of its events.
PAGE = (
    EVENTS
    + f""", page AS (
    SELECT * FROM events ORDER BY at DESC, type, pgh_id DESC LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.type, page.at, event.label, event.object_id, event.actor, event.data,
       event.previous, event.touchpoint_name
FROM page CROSS JOIN LATERAL (
    {" UNION ALL ".join(_event_of_page(type_, tracked) for type_, tracked in TRACKED.items())}
) event
ORDER BY page.at DESC, page.type, page.pgh_id DESC"""
)


def _blank(value) -> bool:
    return value is None or value == "" or value == {}


def changes_of(action: str, fields: list[str], data: dict, previous: dict | None) -> dict:
    """{field: [from, to]} in `fields` order: what a change changed; what a creation set or a
    deletion removed."""
    if action == "created":
        return {name: [None, data[name]] for name in fields if not _blank(data[name])}
    if action == "deleted":
        return {name: [data[name], None] for name in fields if not _blank(data[name])}
    previous = previous or {}
    return {
        name: [previous.get(name), data[name]]
        for name in fields
        if previous.get(name) != data[name]
    }


def object_name(type_: str, data: dict, touchpoint_name: str | None) -> str:
    if type_ != "moment":
        return data["name"]
    label = MOMENT_SHORT_LABELS.get(data["type"], data["type"])
    if touchpoint_name is None:
        return label
    return _("%(moment)s at %(touchpoint)s") % {"moment": label, "touchpoint": touchpoint_name}


@dataclass
class JourneyHistory:
    """The audit trail of a journey and of its stages, touchpoints and moments, newest first,
    as a sequence that paginators count and slice: [{at, actor, action, object {type, id,
    name}, changes {field: [from, to]}}]."""

    journey_id: UUID

    def _params(self, **more) -> dict:
        return {"journey": self.journey_id, "actions": ACTIONS, **more}

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(COUNT, self._params())
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[dict]:
        offset = page.start or 0
        with connection.cursor() as cursor:
            cursor.execute(PAGE, self._params(limit=page.stop - offset, offset=offset))
            rows = cursor.fetchall()
        return [self._event(*row) for row in rows]

    @staticmethod
    def _event(type_, at, action, object_id, actor, data, previous, touchpoint_name) -> dict:
        # Django's backend hands JSON over as text, for its JSONField to decode.
        data = orjson.loads(data)
        previous = orjson.loads(previous) if previous is not None else None
        return {
            "at": at,
            "actor": actor,
            "action": action,
            "object": {
                "type": type_,
                "id": object_id,
                "name": object_name(type_, data, touchpoint_name),
            },
            "changes": changes_of(action, TRACKED[type_].fields, data, previous),
        }


def stage_names(events: list[dict]) -> dict[str, str]:
    """{stage id: name} of the stages the events name, from one query: a stage's last event
    holds its name as it is, or was when it was deleted."""
    ids = {
        value
        for event in events
        for value in event["changes"].get("stage", [])
        if value is not None
    }
    return {
        str(pk): name
        for pk, name in StageEvent.objects.filter(pgh_obj_id__in=ids)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values_list("pgh_obj_id", "name")
    }


FIELD_LABELS = {
    **TOUCHPOINT_LABELS,
    "persona": gettext_lazy("Persona"),
    "persona_goals": gettext_lazy("Persona's goals"),
    "persona_frustrations": gettext_lazy("Persona's frustrations"),
    "lanes": gettext_lazy("Lanes"),
    "lane_values": gettext_lazy("Custom lanes"),
    "kind": gettext_lazy("Kind"),
    "position": gettext_lazy("Position"),
    "stage": gettext_lazy("Stage"),
    "type": gettext_lazy("Type"),
    "impact": gettext_lazy("Impact"),
    "rationale": gettext_lazy("Rationale"),
}
TYPE_LABELS = {
    "journey": gettext_lazy("Journey"),
    "stage": gettext_lazy("Stage"),
    "touchpoint": gettext_lazy("Touchpoint"),
    "moment": gettext_lazy("Moment of truth"),
}
ACTION_LABELS = {
    "created": pgettext_lazy("history", "Created"),
    "changed": pgettext_lazy("history", "Changed"),
    "deleted": pgettext_lazy("history", "Deleted"),
}
VALUE_LABELS = {
    "kind": dict(StageKind.choices),
    "channel": CHANNEL_LABELS,
    "type": dict(MomentType.choices),
    "expected_emotion": dict(EMOTION_CHOICES),
}


def readable(events: list[dict], lanes: list[dict]) -> list[dict]:
    """The events as the history page shows them: labels for types, actions, fields and choice
    values, stages by name, lanes by their title in the journey's `lanes` (a removed one by its
    id), positions from 1; blank values as None."""
    names = stage_names(events)
    lane_titles = {lane["id"]: lane_title(lane) for lane in lanes}

    def shown(field: str, value):
        if _blank(value):
            return None
        if field == "stage":
            return names.get(value, value)
        if field == "position":
            return value + 1
        if field == "lanes":
            return " · ".join(lane_title(lane) for lane in value)
        if field == "lane_values":
            return " · ".join(
                f"{lane_titles.get(lane_id, lane_id)}: {text}" for lane_id, text in value.items()
            )
        return VALUE_LABELS.get(field, {}).get(value, value)

    return [
        {
            **event,
            "action_label": ACTION_LABELS[event["action"]],
            "type_label": TYPE_LABELS[event["object"]["type"]],
            "changes": [
                (FIELD_LABELS.get(field, field), shown(field, old), shown(field, new))
                for field, (old, new) in event["changes"].items()
            ],
        }
        for event in events
    ]
