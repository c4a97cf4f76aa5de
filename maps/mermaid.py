"""Journeys as Mermaid `journey` diagrams, which GitHub and Mermaid render, and back
(docs/api.md, "Mermaid").

    journey
        title Online purchase
        %% truthmap: {"truthmap": 1, "journey": {...}}
        section Discovery
        %% truthmap: {"stage": {"name": "Discovery", "kind": "discovery"}}
          Web search: 4: Web
          %% truthmap: {"touchpoint": {"key": "web-search", ...}}

A task is `Name: score: Channel`, the score 1–5 from health or else from the expected emotion.
What Mermaid cannot say rides in `%% truthmap:` comments, each describing the line above it, so
an import restores the journey; a plain diagram from elsewhere imports too, its scores becoming
expected emotions and its actors the channel (one that names a channel) and the owner.

What the grammar allows is Mermaid's journey lexer (journey.jison): a name cannot hold `#` (a
comment starts), `:` (the score starts) or `;`, and a task whose name starts with a keyword
(`journey`, `title`…) is read as that keyword."""

import math
import re

import orjson
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journeys.models import CLASSIC_STAGE_KINDS, Journey
from maps.documents import (
    JOURNEY,
    STAGE,
    TOUCHPOINT,
    VERSION,
    DocumentError,
    Object,
    Problems,
    document_from_journey,
    validate_document,
)
from touchpoints.models import Channel

COMMENT = "truthmap:"
RESERVED = re.compile(r"[#:;]")
# A task named like this would be read as the keyword, or as a comment (a line that starts with
# `%`); a zero-width space before the name (which Mermaid's lexer does not skip as blank) keeps
# it a name, and shows nothing.
NEEDS_GUARD = re.compile(r"%|journey|title|section|acctitle|accdescr", re.IGNORECASE)
GUARD = "\u200b"
TITLE = re.compile(r"title\s+(.*)", re.IGNORECASE | re.DOTALL)
SECTION = re.compile(r"section\s+(.*)", re.IGNORECASE | re.DOTALL)
ACCESSIBILITY = re.compile(r"acc(title|descr)\s*(:|\{)(.*)", re.IGNORECASE | re.DOTALL)
TRUTHMAP_COMMENT = re.compile(r"%%\s*truthmap\s*:(.*)", re.DOTALL)
SCORE = re.compile(r"[0-9]{1,3}")
STAGE_META = Object({name: STAGE.fields[name] for name in ("name", "kind")})
# A sentence for each part, not the part's name in one sentence: Spanish says "un recorrido" but
# "una etapa".
MISPLACED_COMMENT = {
    "journey": gettext_lazy("This truthmap comment describes a journey: put it right below it."),
    "stage": gettext_lazy("This truthmap comment describes a stage: put it right below it."),
    "touchpoint": gettext_lazy(
        "This truthmap comment describes a touchpoint: put it right below it."
    ),
}
SECOND_COMMENT = {
    "journey": gettext_lazy("The journey above has a truthmap comment already."),
    "stage": gettext_lazy("The stage above has a truthmap comment already."),
    "touchpoint": gettext_lazy("The touchpoint above has a truthmap comment already."),
}


class MermaidError(Exception):
    """What Mermaid would not parse, told by its line in the active language (the request's)."""

    def __init__(self, line: int, message: str):
        super().__init__(at_line(line, message))
        self.line = line


def at_line(line: int, message: str) -> str:
    return _("line %(line)d: %(message)s") % {"line": line, "message": message}


# Export


def diagram_text(text: str, fallback: str) -> str:
    """A name as the diagram can say it: no reserved characters, no `%%` (which starts a
    comment or a directive, even inside a name), one line."""
    text = re.sub(r"%{2,}", "%", RESERVED.sub("", text))
    return " ".join(text.split()) or fallback


def task_name(name: str, fallback: str) -> str:
    text = diagram_text(name, fallback)
    return GUARD + text if NEEDS_GUARD.match(text) else text


def comment(data: dict) -> str:
    # `%%{` starts a directive anywhere in a diagram, even inside a comment: no `%` at all.
    text = orjson.dumps(data).decode().replace("%", "\\u0025")
    # One line: JSON escapes \n and \r but not these, which some readers break lines at.
    for separator in ("\u2028", "\u2029", "\u0085"):
        text = text.replace(separator, f"\\u{ord(separator):04x}")
    return f"%% {COMMENT} {text}"


def task_score(health_score: float | None, expected_emotion: int) -> int:
    if health_score is not None:
        return max(1, math.ceil(health_score / 20))
    return expected_emotion + 3


def mermaid_from_document(document: dict, health_scores: dict[str, float | None]) -> str:
    """The diagram of a validated document; `health_scores` by touchpoint key."""
    journey = document["journey"]
    untitled = _("Journey")
    lines = [
        "journey",
        f"    title {diagram_text(journey['name'], untitled)}",
        f"    {comment({'truthmap': VERSION, 'journey': journey})}",
    ]
    for number, stage in enumerate(document["stages"], start=1):
        unnamed = _("Stage %(number)d") % {"number": number}
        lines.append(f"    section {diagram_text(stage['name'], unnamed)}")
        lines.append(f"    {comment({'stage': {'name': stage['name'], 'kind': stage['kind']}})}")
        for touchpoint in stage["touchpoints"]:
            score = task_score(health_scores.get(touchpoint["key"]), touchpoint["expected_emotion"])
            channel = Channel(touchpoint["channel"]).label
            name = task_name(touchpoint["name"], touchpoint["key"])
            lines.append(f"      {name}: {score}: {channel}")
            lines.append(f"      {comment({'touchpoint': touchpoint})}")
    return "\n".join(lines) + "\n"


def mermaid_from_journey(journey: Journey) -> str:
    health_scores = dict(journey.touchpoints.values_list("key", "health_score"))
    return mermaid_from_document(document_from_journey(journey), health_scores)


# Import


def validate_mermaid(text: str) -> dict:
    """The validated document of a Mermaid journey; DocumentError({"mermaid": [...]}) naming
    the line of each problem (`line 4: …`)."""
    try:
        document, lines = document_from_mermaid(text)
    except MermaidError as exc:
        raise DocumentError({"mermaid": [str(exc)]}) from None
    try:
        return validate_document(document)
    except DocumentError as exc:
        messages = [
            on_line(lines, where, message)
            for where, messages in exc.errors.items()
            for message in messages
        ]
        raise DocumentError({"mermaid": messages}) from None


def on_line(lines: dict[str, int], where: str, message: str) -> str:
    """A document problem told by the line of the part it is in: `stages[0].touchpoints[2].name`
    becomes `line 9: name: …`."""
    part = max(
        (p for p in lines if not p or where == p or where.startswith((f"{p}.", f"{p}["))),
        key=len,
    )
    field = where[len(part) :].lstrip(".")
    if field == "non_field_errors":
        field = ""
    return at_line(lines[part], f"{field}: {message}" if field else message)


def squashed(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text).casefold()


def _labels_in_every_language(choices) -> dict[str, str]:
    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                names[squashed(str(label))] = value
    for value, _label in choices:
        names[squashed(value)] = value
    return names


def document_from_mermaid(text: str) -> tuple[dict, dict[str, int]]:
    """The document a Mermaid journey describes, and the line of each part of it
    ({"journey": 2, "stages[0]": 4, "stages[0].touchpoints[0]": 5, …}) for naming lines in
    errors; MermaidError for what Mermaid would not parse, or a truthmap comment that does not
    fit."""
    return _Reader(text).read()


class _Reader:
    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.channels = _labels_in_every_language(Channel.choices)
        self.kinds = _labels_in_every_language(
            [(kind.value, kind.label) for kind in CLASSIC_STAGE_KINDS]
        )
        self.journey: dict = {"name": None, "meta": None, "line": 1, "description": None}
        self.stages: list[dict] = []
        self.last: dict | None = None  # the statement a truthmap comment would describe

    def read(self) -> tuple[dict, dict[str, int]]:
        for number, line in enumerate(self.lines, start=1):
            if "\x00" in line:
                raise MermaidError(number, _("Text may not contain NUL characters."))
        body = self.header()
        description: list[str] | None = None
        for number, raw in body:
            line = raw.strip()
            if description is not None:  # inside accDescr { … }
                text, closed, _rest = line.partition("}")
                description.append(text)
                if closed:
                    self.journey["description"] = "\n".join(filter(None, description))
                    description = None
                continue
            if line.startswith("%%"):
                self.comment_line(number, line)
                continue
            if access := ACCESSIBILITY.match(line):
                what, opening, rest = access.groups()
                if opening == "{":
                    text, closed, _rest = rest.partition("}")
                    if closed:
                        self.journey["description"] = text.strip()
                    else:
                        description = [text.strip()]
                elif what.lower() == "descr":
                    self.journey["description"] = rest.strip()
                self.last = None
                continue
            line = line.split("#", 1)[0].strip()  # `#` starts a comment, as in Mermaid
            if not line:
                continue
            if ";" in line:
                raise MermaidError(number, _("`;` cannot be used here: Mermaid reserves it."))
            if line.lower() in ("title", "section"):
                raise MermaidError(
                    number, _("`%(keyword)s` needs a name after it.") % {"keyword": line}
                )
            if title := TITLE.match(line):
                self.journey.update(name=title.group(1).strip(), line=number)
                self.last = self.journey
            elif section := SECTION.match(line):
                self.section(number, section.group(1))
            elif line.lower().startswith("journey"):
                raise MermaidError(number, _("`journey` starts the diagram and only once."))
            else:
                self.task(number, line)
        if description is not None:
            raise MermaidError(len(self.lines), _("accDescr { … } is not closed with }."))
        return self.document()

    def header(self) -> list[tuple[int, str]]:
        """The lines after `journey`, past a Markdown fence and front matter before it."""
        numbered = list(enumerate(self.lines, start=1))
        rest = [(n, line) for n, line in numbered if line.strip()]
        if rest and rest[0][1].strip().startswith("```"):
            fence = rest[0][0]
            closing = next((n for n, line in rest[1:] if line.strip() == "```"), None)
            numbered = numbered[fence : (closing - 1) if closing else None]
            rest = [(n, line) for n, line in numbered if line.strip()]
        if rest and rest[0][1].strip() == "---":
            end = next(
                (i for i, (_n, line) in enumerate(rest[1:], 1) if line.strip() == "---"), None
            )
            if end is None:
                raise MermaidError(rest[0][0], _("The front matter is not closed with ---."))
            for n, line in rest[1:end]:
                key, colon, value = line.partition(":")
                if colon and key.strip() == "title":
                    self.journey.update(name=value.strip().strip("\"'"), line=n)
            rest = rest[end + 1 :]
        while rest and rest[0][1].strip().startswith("%%"):  # directives and comments
            rest = rest[1:]
        if not rest:
            raise MermaidError(1, _("A Mermaid journey starts with `journey`; this is empty."))
        number, first = rest[0]
        if first.strip().lower() != "journey":
            start = repr(first.strip()[:40])
            raise MermaidError(
                number,
                _("A Mermaid journey starts with `journey`, not %(start)s.") % {"start": start},
            )
        self.last = self.journey
        return [(n, line) for n, line in numbered if n > number]

    def section(self, number: int, name: str) -> None:
        name = name.strip()
        if ":" in name:
            raise MermaidError(number, _("A section name cannot hold `:`."))
        self.stages.append({"name": name, "line": number, "meta": None, "touchpoints": []})
        self.last = self.stages[-1]

    def task(self, number: int, line: str) -> None:
        name, colon, data = line.partition(":")
        name = name.strip().lstrip(GUARD).strip()
        if not colon:
            raise MermaidError(number, _("A task is `Name: score` or `Name: score: Actor, …`."))
        if not name:
            raise MermaidError(number, _("A task needs a name before its `:`."))
        if not self.stages:
            raise MermaidError(number, _("A task belongs to a section: put `section Name` above."))
        score, _colon, actors = data.partition(":")
        actors = actors.split(":", 1)[0]  # Mermaid, too, reads no further
        score = score.strip()
        if not SCORE.fullmatch(score) or not 1 <= int(score) <= 5:
            message = _("The score is a whole number from 1 to 5, not %(score)s.")
            raise MermaidError(number, message % {"score": repr(score)})
        task = {"name": name, "line": number, "meta": None, "score": int(score)}
        task["actors"] = [actor.strip() for actor in actors.split(",") if actor.strip()]
        self.stages[-1]["touchpoints"].append(task)
        self.last = task

    def comment_line(self, number: int, line: str) -> None:
        found = TRUTHMAP_COMMENT.fullmatch(line)
        if found is None:
            return  # a comment or a directive for Mermaid
        try:
            data = orjson.loads(found.group(1))
        except orjson.JSONDecodeError as exc:
            message = _("The truthmap comment is not JSON: %(error)s") % {"error": exc}
            raise MermaidError(number, message) from None
        if not isinstance(data, dict):
            raise MermaidError(number, _("A truthmap comment holds a JSON object."))
        what = [name for name in ("journey", "stage", "touchpoint") if name in data]
        unknown = set(data) - {"journey", "stage", "touchpoint", "truthmap"}
        if len(what) != 1 or unknown:
            raise MermaidError(
                number, _("A truthmap comment holds one of journey, stage or touchpoint.")
            )
        if "truthmap" in data and not (
            type(data["truthmap"]) is int and data["truthmap"] == VERSION
        ):
            raise MermaidError(
                number, "truthmap: " + _("Must be %(version)s.") % {"version": VERSION}
            )
        last = self.last
        kind = None
        if last is self.journey:
            kind = "journey"
        elif last is not None:
            kind = "touchpoint" if "score" in last else "stage"
        if kind != what[0]:
            raise MermaidError(number, MISPLACED_COMMENT[what[0]])
        if last["meta"] is not None:
            raise MermaidError(number, SECOND_COMMENT[what[0]])
        spec = {"journey": JOURNEY, "stage": STAGE_META, "touchpoint": TOUCHPOINT}[what[0]]
        problems = Problems()
        spec.clean(data[what[0]], "", problems)
        for where, messages in problems.errors.items():
            prefix = f"{where}: " if where != "non_field_errors" else ""
            raise MermaidError(number, f"{what[0]}: {prefix}{messages[0]}")
        last["meta"] = data[what[0]]
        last["meta_line"] = number

    def document(self) -> tuple[dict, dict[str, int]]:
        lines = {"": 1, "journey": self.journey.get("meta_line", self.journey["line"])}
        journey = dict(self.journey["meta"] or {})
        journey["name"] = restored(self.journey["name"], journey.get("name"), _("Imported journey"))
        if self.journey["description"] and "description" not in journey:
            journey["description"] = self.journey["description"]
        stages = []
        for s, stage in enumerate(self.stages):
            lines[f"stages[{s}]"] = stage.get("meta_line", stage["line"])
            meta = dict(stage["meta"] or {"kind": self.kinds.get(squashed(stage["name"]))})
            meta = {name: value for name, value in meta.items() if value is not None}
            touchpoints = []
            for t, task in enumerate(stage["touchpoints"]):
                lines[f"stages[{s}].touchpoints[{t}]"] = task.get("meta_line", task["line"])
                touchpoints.append(self.touchpoint(task))
            name = restored(stage["name"], meta.get("name"), stage["name"])
            stages.append({**meta, "name": name, "touchpoints": touchpoints})
        return {"truthmap": VERSION, "journey": journey, "stages": stages}, lines

    def touchpoint(self, task: dict) -> dict:
        meta = task["meta"]
        if meta is not None:
            return {**meta, "name": restored(task["name"], meta.get("name"), task["name"])}
        channel, owners = None, []
        for actor in task["actors"]:
            named = self.channels.get(squashed(actor))
            if channel is None and named is not None:
                channel = named
            else:
                owners.append(actor)
        touchpoint = {"name": task["name"], "expected_emotion": task["score"] - 3}
        if channel:
            touchpoint["channel"] = channel
        if owners:
            touchpoint["owner"] = ", ".join(owners)
        return touchpoint


def restored(shown: str | None, stored, fallback: str) -> str:
    """The name the truthmap comment stored, unless the diagram's name was edited since (a
    name the diagram could show nothing of was shown as a stand-in, which says nothing)."""
    if isinstance(stored, str) and (shown is None or diagram_text(stored, "") in ("", shown)):
        return stored
    return shown or fallback
