"""A malformed Mermaid import is told in the request's language (Accept-Language), the line
named in it; English stays the default."""

from journeys.models import Journey
from tests.api.test_journey_documents import IMPORT

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
BAD_SCORE = "journey\n  section A\n    Make tea: five: Me\n"
LONG_NAME = "journey\n  section A\n    " + "x" * 201 + ": 3: Me\n"
MISPLACED_STAGE = 'journey\n  %% truthmap: {"stage": {"name": "A"}}\n'


def refused(api, text: str, **headers) -> str:
    response = api.post(IMPORT, {"mermaid": text}, format="json", **headers)
    assert response.status_code == 400, response.content
    (message,) = response.json()["mermaid"]
    assert not Journey.objects.exists()
    return message


def test_a_malformed_diagram_is_answered_in_spanish(api):
    message = refused(api, BAD_SCORE, **SPANISH)
    assert message == "línea 3: La puntuación es un número entero del 1 al 5, no 'five'."


def test_a_malformed_diagram_is_answered_in_english_by_default(api):
    refused(api, BAD_SCORE, **SPANISH)  # the thread was left in Spanish
    assert refused(api, BAD_SCORE) == "line 3: The score is a whole number from 1 to 5, not 'five'."


def test_a_document_problem_names_its_line_in_spanish(api):
    message = refused(api, LONG_NAME, **SPANISH)
    assert message == "línea 3: name: Como máximo 200 caracteres; este tiene 201."


def test_a_misplaced_comment_names_the_part_in_spanish(api):
    # "una etapa", "ella": a sentence of its own for each part, not "un stage".
    message = refused(api, MISPLACED_STAGE, **SPANISH)
    assert message == (
        "línea 2: Este comentario truthmap describe una etapa: ponlo justo debajo de ella."
    )
    assert refused(api, MISPLACED_STAGE) == (
        "line 2: This truthmap comment describes a stage: put it right below it."
    )
