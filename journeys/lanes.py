"""A journey's lanes: the rows under its stages, in their order. The built-in ones show a field
of every touchpoint (channel, pain points, opportunities); a custom lane is a title, and each
touchpoint holds its own text for it in `Touchpoint.lane_values` ({lane id: text}).

    Journey.lanes = [{"id": "channel"}, {"id": "thoughts", "title": "Customer thoughts"}, …]

A lane that is left out is not shown; a custom lane's id stays when its title changes, so its
values follow it. clean_lanes and clean_lane_values are the rules every door applies: the API,
the pages' forms and journey documents."""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BUILT_IN = {
    "channel": gettext_lazy("Channel"),
    "pain_points": gettext_lazy("Pain points"),
    "opportunities": gettext_lazy("Opportunities"),
}
MAX_LANES = 12
ID_LENGTH = 40
TITLE_LENGTH = 80
TEXT_LENGTH = 2_000


def default_lanes() -> list[dict]:
    return [{"id": lane_id} for lane_id in BUILT_IN]


def is_id(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= ID_LENGTH and slugify(value) == value


def lane_title(lane: dict) -> str:
    return str(BUILT_IN[lane["id"]]) if lane["id"] in BUILT_IN else lane["title"]


def clean_lanes(value) -> list[dict]:
    """The lanes in their stored shape; ValidationError naming each problem by the lane's
    number. A custom lane given without an id gets one made from its title."""
    if not isinstance(value, list):
        raise ValidationError(_("A list of lanes is required."))
    if len(value) > MAX_LANES:
        raise ValidationError(_("At most %(max)s lanes.") % {"max": MAX_LANES})
    problems, lanes = [], []
    taken = {lane.get("id") for lane in value if isinstance(lane, dict) and is_id(lane.get("id"))}
    taken |= set(BUILT_IN)
    seen = set()
    for number, lane in enumerate(value, start=1):
        problem = lane_problem(lane, seen)
        if problem:
            problems.append(
                _("Lane %(number)s: %(problem)s") % {"number": number, "problem": problem}
            )
            continue
        if lane.get("id") in BUILT_IN:
            lanes.append({"id": lane["id"]})
        else:
            lane_id = lane.get("id") or free_id(lane["title"], taken)
            taken.add(lane_id)
            lanes.append({"id": lane_id, "title": lane["title"].strip()})
        seen.add(lanes[-1]["id"])
    if problems:
        raise ValidationError(problems)
    return lanes


def lane_problem(lane, seen: set) -> str | None:
    if not isinstance(lane, dict):
        return _("an object with an id or a title is required.")
    unknown = sorted(set(lane) - {"id", "title"})
    if unknown:
        return _("unknown field %(name)s.") % {"name": ", ".join(map(str, unknown))[:40]}
    lane_id, title = lane.get("id"), lane.get("title")
    if lane_id is not None and not is_id(lane_id):
        return _("the id must be a slug of at most %(max)s lowercase letters, digits, - and _.") % {
            "max": ID_LENGTH
        }
    if lane_id in seen:
        return _("the lane %(id)s is listed twice.") % {"id": lane_id}
    if lane_id in BUILT_IN:
        return _("a built-in lane has no title of its own.") if title is not None else None
    if not isinstance(title, str) or not title.strip():
        return _("a custom lane needs a title.")
    if "\x00" in title:
        return _("the title may not contain NUL characters.")
    if len(title) > TITLE_LENGTH:
        return _("the title has more than %(max)s characters.") % {"max": TITLE_LENGTH}
    return None


def free_id(title: str, taken: set) -> str:
    # Cut, then stripped: a slug that ends in - or _ is not one (is_id would refuse it later).
    base = slugify(title)[: ID_LENGTH - 3].strip("-_") or "lane"
    lane_id, suffix = base, 2
    while lane_id in taken:
        lane_id, suffix = f"{base}-{suffix}", suffix + 1
    return lane_id


def custom_ids(lanes: list[dict]) -> list[str]:
    return [lane["id"] for lane in lanes if lane["id"] not in BUILT_IN]


def clean_lane_values(value, lanes: list[dict]) -> dict[str, str]:
    """A touchpoint's texts for its journey's custom lanes; blank ones are dropped."""
    if not isinstance(value, dict):
        raise ValidationError(_("An object of lane id → text is required."))
    known, problems = set(custom_ids(lanes)), []
    for lane_id, text in value.items():
        if lane_id not in known:
            problems.append(
                _("%(id)s is not a custom lane of this journey.") % {"id": lane_id[:40]}
            )
        elif not isinstance(text, str):
            problems.append(_("%(id)s: the text must be a string.") % {"id": lane_id})
        elif len(text) > TEXT_LENGTH:
            problems.append(
                _("%(id)s: at most %(max)s characters; this has %(length)s.")
                % {"id": lane_id, "max": TEXT_LENGTH, "length": len(text)}
            )
        elif "\x00" in text:
            problems.append(_("%(id)s: the text may not contain NUL characters.") % {"id": lane_id})
    if problems:
        raise ValidationError(problems)
    return {lane_id: text for lane_id, text in value.items() if text.strip()}
