"""Journey documents: a journey as portable JSON, with no ids and no feedback, that another
workspace or installation imports as a new journey whose export equals the document
(docs/api.md, "Journey documents").

    {"truthmap": 1, "journey": {name, persona, persona_goals, persona_frustrations,
                                description, lanes},
     "stages": [{name, kind, "touchpoints": [{key, name, description, channel, owner,
                 expected_emotion, pain_points, opportunities, lane_values, "moments": [{type,
                 impact, rationale}]}]}]}

validate_document checks a document strictly, every problem named by where it is
(`stages[2].touchpoints[0].channel`), and fills in the fields a hand-written one may leave out;
journey_from_document makes the journey; document_from_journey writes one."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journeys.lanes import clean_lane_values, clean_lanes, default_lanes
from journeys.models import Journey, StageKind
from journeys.services import journey_create
from moments.models import Moment, MomentType
from touchpoints.models import Channel, Touchpoint
from touchpoints.services import key_from_name, touchpoint_free_keys
from workspaces.models import Workspace

VERSION = 1
MAX_BYTES = 1_000_000
MAX_STAGES = 200
MAX_TOUCHPOINTS = 2_000
LONG_TEXT = 10_000
MAX_ERRORS = 50
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MOMENT_ORDER = {moment_type: order for order, moment_type in enumerate(MomentType.values)}


class DocumentError(Exception):
    """{where: [messages]}: where is a path into the document, such as `journey.name` or
    `stages[2].touchpoints[0].channel` ("" for the document as a whole)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class Problems:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, where: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.setdefault(where, []).append(message)


def at(where: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{where}[{name}]"
    if not NAME.fullmatch(name):
        # A field name that is no name (spaces, quotes, a NUL) is shown quoted, and cut short.
        return f"{where}[{name[:40]!r}]"
    return f"{where}.{name}" if where else name


# The document's fields: each cleans a value, saying at `where` what is wrong with it.


@dataclass(frozen=True)
class Text:
    max_length: int
    blank: bool = True
    required: bool = False

    def default(self):
        return ""

    def clean(self, value, where: str, problems: Problems):
        if not isinstance(value, str):
            problems.add(where, _("Must be a string."))
        elif "\x00" in value:
            problems.add(where, _("Text may not contain NUL characters."))
        elif len(value) > self.max_length:
            problems.add(
                where,
                _("At most %(max)s characters; this has %(count)s.")
                % {"max": self.max_length, "count": len(value)},
            )
        elif not self.blank and not value.strip():
            problems.add(where, _("May not be blank."))
        else:
            return value
        return None


@dataclass(frozen=True)
class Key:
    """A touchpoint's key; a touchpoint without one gets one made from its name on import."""

    max_length: int = 100
    required: bool = False

    def default(self):
        return None

    def clean(self, value, where: str, problems: Problems):
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            problems.add(where, _("Must be a slug: letters, digits, - and _."))
        elif len(value) > self.max_length:
            problems.add(
                where,
                _("At most %(max)s characters; this has %(count)s.")
                % {"max": self.max_length, "count": len(value)},
            )
        else:
            return value
        return None


@dataclass(frozen=True)
class Choice:
    choices: tuple
    default_value: object = None
    required: bool = False

    def default(self):
        return self.default_value

    def clean(self, value, where: str, problems: Problems):
        if isinstance(value, str | int) and not isinstance(value, bool) and value in self.choices:
            return value
        problems.add(
            where,
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(map(str, self.choices))},
        )
        return None


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int
    default_value: int
    required: bool = False

    def default(self):
        return self.default_value

    def clean(self, value, where: str, problems: Problems):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and self.minimum <= value <= self.maximum:
            return value
        problems.add(
            where,
            _("Must be a whole number from %(min)s to %(max)s.")
            % {"min": self.minimum, "max": self.maximum},
        )
        return None


@dataclass(frozen=True)
class Object:
    fields: dict
    required: bool = True

    def default(self):
        return {}

    def clean(self, value, where: str, problems: Problems):
        if not isinstance(value, dict):
            problems.add(where or "non_field_errors", _("Must be an object."))
            return None
        for name in value:
            if name not in self.fields:
                problems.add(at(where, name), _("Unknown field."))
        cleaned = {}
        for name, spec in self.fields.items():
            if name in value:
                cleaned[name] = spec.clean(value[name], at(where, name), problems)
            elif spec.required:
                problems.add(at(where, name), _("This field is required."))
            else:
                cleaned[name] = spec.default()
        return cleaned


@dataclass(frozen=True)
class List:
    item: object
    max_items: int
    what: str
    required: bool = False

    def default(self):
        return []

    def clean(self, value, where: str, problems: Problems):
        if not isinstance(value, list):
            problems.add(where, _("Must be an array."))
            return None
        if len(value) > self.max_items:
            problems.add(
                where,
                _("At most %(max)s %(what)s; this has %(count)s.")
                % {"max": self.max_items, "what": self.what, "count": len(value)},
            )
            return None
        return [self.item.clean(item, at(where, i), problems) for i, item in enumerate(value)]


@dataclass(frozen=True)
class Lanes:
    required: bool = False

    def default(self):
        return default_lanes()

    def clean(self, value, where: str, problems: Problems):
        try:
            return clean_lanes(value)
        except ValidationError as exc:
            for message in exc.messages:
                problems.add(where, message)
        return None


@dataclass(frozen=True)
class LaneValues:
    """{lane id: text}; check_whole checks the ids and texts against the journey's lanes
    (journeys.lanes.clean_lane_values, the rule every door applies)."""

    required: bool = False

    def default(self):
        return {}

    def clean(self, value, where: str, problems: Problems):
        if not isinstance(value, dict):
            problems.add(where, _("Must be an object."))
            return None
        return value


MOMENT = Object(
    {
        "type": Choice(tuple(MomentType.values), required=True),
        "impact": Integer(1, 5, 3),
        "rationale": Text(LONG_TEXT),
    }
)
TOUCHPOINT = Object(
    {
        "key": Key(),
        "name": Text(200, blank=False, required=True),
        "description": Text(LONG_TEXT),
        "channel": Choice(tuple(Channel.values), Channel.OTHER),
        "owner": Text(200),
        "expected_emotion": Integer(-2, 2, 0),
        "pain_points": Text(LONG_TEXT),
        "opportunities": Text(LONG_TEXT),
        "lane_values": LaneValues(),
        "moments": List(MOMENT, len(MomentType.values), gettext_lazy("moments, one of each type")),
    }
)
STAGE = Object(
    {
        "name": Text(200, blank=False, required=True),
        "kind": Choice(tuple(StageKind.values), StageKind.CUSTOM),
        "touchpoints": List(TOUCHPOINT, MAX_TOUCHPOINTS, gettext_lazy("touchpoints")),
    }
)
JOURNEY = Object(
    {
        "name": Text(200, blank=False, required=True),
        "persona": Text(200),
        "persona_goals": Text(LONG_TEXT),
        "persona_frustrations": Text(LONG_TEXT),
        "description": Text(LONG_TEXT),
        "lanes": Lanes(),
    }
)
DOCUMENT = Object(
    {
        "truthmap": Choice((VERSION,), required=True),
        "journey": JOURNEY,
        "stages": List(STAGE, MAX_STAGES, gettext_lazy("stages"), required=True),
    }
)


def validate_document(data) -> dict:
    """The document with every field, in the order an export writes them; or DocumentError."""
    problems = Problems()
    document = DOCUMENT.clean(data, "", problems)
    if not problems.errors:
        check_whole(document, problems)
    if problems.errors:
        raise DocumentError(problems.errors)
    return document


def check_whole(document: dict, problems: Problems) -> None:
    """What no single field shows: the journey's size, keys used twice, a moment type twice,
    values of lanes the journey does not have."""
    total = sum(len(stage["touchpoints"]) for stage in document["stages"])
    if total > MAX_TOUCHPOINTS:
        problems.add(
            "stages",
            _("At most %(max)s touchpoints; this has %(count)s.")
            % {"max": MAX_TOUCHPOINTS, "count": total},
        )
    first_at: dict[str, str] = {}
    for s, stage in enumerate(document["stages"]):
        for t, touchpoint in enumerate(stage["touchpoints"]):
            where = f"stages[{s}].touchpoints[{t}]"
            key = touchpoint["key"]
            if key is not None and key in first_at:
                problems.add(
                    f"{where}.key",
                    _("%(key)s is the key of %(other)s too.")
                    % {"key": repr(key), "other": first_at[key]},
                )
            elif key is not None:
                first_at[key] = where
            try:
                touchpoint["lane_values"] = clean_lane_values(
                    touchpoint["lane_values"], document["journey"]["lanes"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    problems.add(f"{where}.lane_values", message)
            types = [moment["type"] for moment in touchpoint["moments"]]
            for m, moment_type in enumerate(types):
                if moment_type in types[:m]:
                    problems.add(f"{where}.moments[{m}].type", _("One moment of each type."))


def document_from_journey(journey: Journey) -> dict:
    """The journey's document, in three queries: stages and touchpoints in order, each
    touchpoint's moments in the order of the types."""
    stages = {
        stage["id"]: {"name": stage["name"], "kind": stage["kind"], "touchpoints": []}
        for stage in journey.stages.order_by("position").values("id", "name", "kind")
    }
    moments: dict = {}
    for moment in (
        Moment.objects.filter(touchpoint__journey=journey)
        .values("touchpoint_id", "type", "impact", "rationale")
        .order_by("touchpoint_id")
    ):
        moments.setdefault(moment.pop("touchpoint_id"), []).append(moment)
    touchpoint_fields = [name for name in TOUCHPOINT.fields if name != "moments"]
    for touchpoint in journey.touchpoints.order_by("position").values(
        "id", "stage_id", *touchpoint_fields
    ):
        tagged = sorted(moments.get(touchpoint.pop("id"), []), key=_by_type)
        stages[touchpoint.pop("stage_id")]["touchpoints"].append({**touchpoint, "moments": tagged})
    return {
        "truthmap": VERSION,
        "journey": {name: getattr(journey, name) for name in JOURNEY.fields},
        "stages": list(stages.values()),
    }


def _by_type(moment: dict) -> int:
    return MOMENT_ORDER[moment["type"]]


@transaction.atomic
def journey_from_document(*, workspace: Workspace, document: dict, tagged_by: str = "") -> Journey:
    """A new journey in the workspace from a validated document; a key that the workspace
    uses already gets a suffix (-2, -3…), and a touchpoint without one gets one from its name.
    A fixed few queries whatever the size: the journey is new, so its positions are simply
    0, 1, 2… and no health needs recomputing."""
    journey = journey_create(
        workspace=workspace,
        **document["journey"],
        stages=[{"name": stage["name"], "kind": stage["kind"]} for stage in document["stages"]],
    )
    wanted = [
        touchpoint["key"] or key_from_name(touchpoint["name"])
        for stage in document["stages"]
        for touchpoint in stage["touchpoints"]
    ]
    keys = iter(touchpoint_free_keys(workspace_id=workspace.pk, keys=wanted))
    touchpoints, moments = [], []
    for stage, stage_document in zip(
        journey.stages.order_by("position"), document["stages"], strict=True
    ):
        for position, fields in enumerate(stage_document["touchpoints"]):
            touchpoint = Touchpoint(
                workspace=workspace,
                journey=journey,
                stage=stage,
                position=position,
                **{name: value for name, value in fields.items() if name != "moments"},
            )
            touchpoint.key = next(keys)
            touchpoints.append(touchpoint)
            moments.extend(
                Moment(touchpoint=touchpoint, tagged_by=tagged_by, **moment)
                for moment in fields["moments"]
            )
    Touchpoint.objects.bulk_create(touchpoints)
    Moment.objects.bulk_create(moments)
    return journey


def journey_import(
    *, workspace: Workspace, document: dict, tagged_by: str = "", attempts: int = 3
) -> Journey:
    """journey_from_document, tried again when another writer took one of the free keys
    between the check and the insert."""
    for attempt in range(attempts):
        try:
            return journey_from_document(
                workspace=workspace, document=document, tagged_by=tagged_by
            )
        except IntegrityError as exc:
            if "touchpoint_key_per_workspace" not in str(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def journey_duplicate(*, journey: Journey, name: str, tagged_by: str = "") -> Journey:
    """A copy of the journey in its workspace, named `name`: its stages, touchpoints (their keys
    with a suffix) and moments, no feedback; through its document, as an import would."""
    document = document_from_journey(journey)
    document["journey"]["name"] = name
    return journey_import(workspace=journey.workspace, document=document, tagged_by=tagged_by)
