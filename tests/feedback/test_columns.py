"""The mapping the import page suggests from a file's column names, for the real exports the
import tests read (tests.feedback.export_files), each expected mapping checked by hand against
what the file's columns hold; and, for any header at all, no exception and a mapping that names
columns of the file, each at most once."""

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback import readers
from feedback.columns import MAPPED_FIELDS, normalise, suggest_mapping
from tests.feedback import export_files as files

FIELD_NAMES = {name for name, _label in MAPPED_FIELDS}


def suggested(content: bytes) -> dict[str, str]:
    """The suggestion for a file's columns as the reader finds them (and the question texts
    of a Qualtrics export), as the preview asks for it."""
    utf8 = readers.Utf8Check()
    utf8.feed(content, final=True)
    _, seen = readers.find_layout(
        content, name="export.csv", size=len(content), given={}, utf8=utf8
    )
    shape = readers.header_shape(seen.header)[1]
    return suggest_mapping(seen.columns, seen.header[1] if shape == "qualtrics" else None)


def test_it_normalises_names():
    assert normalise("RecordedDate") == "recorded date"
    assert normalise("ResponseId") == "response id"
    assert normalise("Q1_NPS_GROUP") == "q1 nps group"
    assert normalise("  Valoración ") == "valoracion"
    assert normalise("E-mail / Correo") == "e mail correo"
    assert normalise("¿Por qué?") == "por que"


def test_a_qualtrics_export():
    assert suggested(files.qualtrics()) == {
        "external_id": "ResponseId",
        # EndDate ("end date") and RecordedDate ("recorded date") are both names of the date,
        # and EndDate comes first; both hold when the respondent finished.
        "occurred_at": "EndDate",
        # Qualtrics' name for the customer id a distribution carries.
        "customer_ref": "ExternalReference",
        # Q1 and Q2 by their question texts: "…recommend us…", "Why did you give that
        # score?". Q1_NPS_GROUP matches "nps" too, as a keyword only, and comes after Q1.
        "nps": "Q1",
        "comment": "Q2",
    }


def test_a_surveymonkey_export():
    assert suggested(files.surveymonkey()) == {
        # "respondent id", a name of external_id, beats "respondent" (customer_ref).
        "external_id": "Respondent ID",
        "occurred_at": "End Date",  # a name; Start Date only holds the keyword "date"
        "customer_ref": "Email Address",
        "nps": "How likely is it that you would recommend Acme to a friend or colleague? - Response",
        "csat": "How satisfied were you with checkout? - Response",
        "comment": "What could we do better? - Open-Ended Response",
    }


def test_a_zendesk_export():
    assert suggested(files.zendesk()) == {
        "external_id": "Ticket ID",
        "occurred_at": "Solved at",
        "customer_ref": "Requester email",  # the keyword "email"; "Requester" is a name
        # "satisfaction" is in three columns: the first goes to CSAT, the comment column to
        # the comment (its other keyword), and Satisfaction Reason to nothing.
        "csat": "Satisfaction Rating",
        "comment": "Satisfaction Comment",
        # Status is not suggested for the outcome: too common a name (Qualtrics' Status is the
        # response type), and Zendesk's needs a value map anyway.
    }


def test_a_european_excel_file():
    assert suggested(files.european_excel()) == {
        "touchpoint_key": "Punto de contacto",
        "occurred_at": "Fecha",
        "customer_ref": "Cliente",  # the Spanish label of customer_ref
        "channel": "Canal",
        # "Valoración" is a rating, and a rating is read as NPS ("Rating", "Score"): a name
        # does not say the scale. This file's is CSAT; the person picks that in the preview.
        "nps": "Valoración",
        "sentiment": "Sentimiento",  # the Spanish label, without its range
        "comment": "Comentario",
    }


def test_columns_named_like_the_fields_map_to_themselves():
    columns = ["touchpoint_key", "occurred_at", "nps", "comment", "metadata"]
    assert suggest_mapping(columns) == {name: name for name in columns}


def test_near_names_and_none():
    assert suggest_mapping(["Comments", "E-mail", "Date/Time", "Colour"]) == {
        "occurred_at": "Date/Time",
        "customer_ref": "E-mail",
        "comment": "Comments",
    }
    assert suggest_mapping([]) == {}
    assert suggest_mapping(["a", "b", ""]) == {}


def test_a_name_repeated_is_offered_once():
    assert suggest_mapping(["Score", "Score", "Comment"]) == {"nps": "Score", "comment": "Comment"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=40), st.sampled_from(["Score", "Email", "Fecha", "id"]))),
    st.lists(st.text(max_size=40)),
)
def test_any_header_gives_a_mapping_of_its_columns(columns, questions):
    mapping = suggest_mapping(columns, questions)

    assert set(mapping) <= FIELD_NAMES
    assert set(mapping.values()) <= set(columns)
    assert len(set(mapping.values())) == len(mapping)
