"""The feedback fields a file's column can feed, and which column of a file to suggest for each.

The suggestion is plain name matching, so a person can tell why it chose a column: both sides
are normalised (camelCase split, casefolded, accents stripped, anything but letters and digits a
space), then a column counts for a field when its name, or its question text, is
- one of the field's names (its own, its label in English and in Spanish, common synonyms), or
  close to one (difflib's ratio ≥ NAME_MATCH: "Comments", "E-mail"); or else
- longer, but holds one of the field's keywords as whole words ("How likely … recommend …").
The best pairs are taken first, each field and each column at most once."""

import re
import unicodedata
from difflib import SequenceMatcher

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Feedback fields a column can feed, in the order a person reads them.
MAPPED_FIELDS = [
    ("external_id", _("External ID")),
    ("touchpoint_key", _("Touchpoint key")),
    ("touchpoint", _("Touchpoint ID")),
    ("occurred_at", _("Date and time")),
    ("customer_ref", _("Customer")),
    ("channel", _("Channel")),
    ("nps", _("NPS (0–10)")),
    ("csat", _("CSAT (1–5)")),
    ("ces", _("CES (1–7)")),
    ("sentiment", _("Sentiment (−1 to 1)")),
    ("outcome", _("Outcome")),
    ("comment", _("Comment")),
    ("source", _("Source")),
    ("metadata", _("Metadata (JSON)")),
]
LABEL_LANGUAGES = ("en", "es")

# Whole names, beyond each field's own name and labels; written as normalise() leaves them.
SYNONYMS = {
    "external_id": ["id", "response id", "respondent id", "ticket id", "record id"],
    "touchpoint_key": ["touchpoint", "punto de contacto"],
    "occurred_at": ["date", "created at", "submitted", "submitted at", "recorded date"]
    + ["end date", "solved at", "completed at", "timestamp", "date time", "fecha"],
    "customer_ref": ["customer id", "customer ref", "email", "email address", "respondent"]
    + ["external reference", "external data reference", "user id", "client", "correo"],
    "nps": ["score", "rating", "likelihood to recommend", "nps score", "puntuacion"]
    + ["valoracion"],
    "csat": ["satisfaction", "customer satisfaction", "satisfaccion"],
    "ces": ["effort", "customer effort", "customer effort score", "esfuerzo"],
    "outcome": ["resolution", "result", "ticket status"],
    "comment": ["comments", "feedback", "remarks", "verbatim", "review", "comentarios"],
}
# Words that point to a field from inside a longer name or question.
KEYWORDS = {
    "occurred_at": ["date", "fecha"],
    "customer_ref": ["email", "e mail", "customer", "cliente", "correo"],
    "nps": ["recommend", "nps", "recomendaria", "recomendar"],
    "csat": ["satisfied", "satisfaction", "csat", "satisfecho", "satisfaccion"],
    "ces": ["effort", "ces", "esfuerzo"],
    "sentiment": ["sentiment", "sentimiento"],
    "outcome": ["outcome", "resolution"],
    "comment": ["comment", "comments", "feedback", "why", "open ended", "comentario"],
}
NAME_MATCH = 0.85
KEYWORD_MATCH = 0.75  # below any name match: "End Date" wins over "Start Date" for a date
CAMEL_CASE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
NOT_WORD = re.compile(r"[\W_]+")
PARENTHESES = re.compile(r"\([^)]*\)")  # the range in "NPS (0–10)"


def normalise(text: str) -> str:
    """ "RecordedDate" → "recorded date", "Valoración" → "valoracion", "Q1_NPS" → "q1 nps"."""
    decomposed = unicodedata.normalize("NFKD", CAMEL_CASE.sub(" ", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NOT_WORD.sub(" ", bare).strip()


def field_names(field: str, label) -> set[str]:
    names = {normalise(field), *SYNONYMS.get(field, ())}
    for language in LABEL_LANGUAGES:
        with translation.override(language):
            names.add(normalise(PARENTHESES.sub("", str(label))))
    return names


def closeness(text: str, names: set[str], keywords: list[str]) -> float:
    """How well one normalised text names a field: 1 for one of its names, the ratio for a
    near one, KEYWORD_MATCH for a keyword inside it, else 0."""
    if text in names:
        return 1.0
    best = 0.0
    for name in names:
        matcher = SequenceMatcher(None, text, name)
        # The cheap upper bounds first: most pairs are nowhere near.
        if matcher.real_quick_ratio() >= NAME_MATCH and matcher.quick_ratio() >= NAME_MATCH:
            ratio = matcher.ratio()
            if ratio >= NAME_MATCH:
                best = max(best, ratio)
    if best:
        return best
    padded = f" {text} "
    return KEYWORD_MATCH if any(f" {word} " in padded for word in keywords) else 0.0


def suggest_mapping(columns: list[str], questions: list[str] | None = None) -> dict[str, str]:
    """{field: column} for the fields some column matches. `questions`, when the file has them
    (a Qualtrics export's second header row), are matched as well as the column names. Only the
    first of several columns of one name is offered: a mapping names its column."""
    questions = questions or []
    texts = {}
    for index, column in enumerate(columns):
        if column and column not in texts:
            question = questions[index] if index < len(questions) else ""
            texts[column] = (index, {normalise(column), normalise(question)} - {""})
    candidates = []
    for order, (field, label) in enumerate(MAPPED_FIELDS):
        names, keywords = field_names(field, label), KEYWORDS.get(field, [])
        for column, (index, normalised) in texts.items():
            score = max((closeness(text, names, keywords) for text in normalised), default=0)
            if score:
                candidates.append((-score, index, order, field, column))
    mapping: dict[str, str] = {}
    for _score, _index, _order, field, column in sorted(candidates):
        if field not in mapping and column not in mapping.values():
            mapping[field] = column
    return {field: mapping[field] for field, _label in MAPPED_FIELDS if field in mapping}
