"""Mermaid (docs/api.md, "Mermaid"): GET journeys/{id}/mermaid/ writes a `journey` diagram
whose `%% truthmap:` comments let POST journeys/import/ restore the journey; a plain diagram from
elsewhere imports too; what Mermaid would not parse is a 400 naming the line. The diagrams are
checked against Mermaid's own parser in tests/browser/test_mermaid_grammar.py."""

from datetime import UTC, datetime, timedelta

import pytest

from feedback.scoring import rescore_dirty
from journeys.lanes import default_lanes
from journeys.models import Journey
from maps.mermaid import task_score
from tests.api.test_journey_documents import IMPORT, document, export, imported
from touchpoints.models import Touchpoint

DEFAULT_LANES = default_lanes()

# The example of Mermaid's documentation (docs/syntax/userJourney.md), as written there.
MERMAID_DOCS_EXAMPLE = """journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""


def mermaid(client, journey) -> str:
    response = client.get(f"/api/v1/journeys/{journey.pk}/mermaid/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


def diagram_lines(text: str) -> list[str]:
    """The lines Mermaid draws from: the comments left out."""
    return [line for line in text.splitlines() if not line.strip().startswith("%%")]


@pytest.mark.parametrize(
    ("score", "emotion", "expected"),
    [
        (0.0, 2, 1),
        (0.1, 2, 1),
        (20.0, 2, 1),
        (20.1, -2, 2),
        (58.7, 0, 3),
        (80.0, 0, 4),
        (99.9, 0, 5),
        (100.0, -2, 5),
        (None, -2, 1),
        (None, -1, 2),
        (None, 0, 3),
        (None, 1, 4),
        (None, 2, 5),
    ],
)
def test_the_score_comes_from_health_else_from_the_expected_emotion(score, emotion, expected):
    assert task_score(score, emotion) == expected


def test_the_diagram(api, api_as):
    journey = imported(api, document(name="Onboarding: day #1; or two"))
    # Five good answers at the sign-up form: health 100, score 5.
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    response = api_as("analyst").post(
        "/api/v1/feedback/",
        [
            {"touchpoint_key": "signup-form", "occurred_at": an_hour_ago, "nps": 10}
            for _ in range(5)
        ],
        format="json",
    )
    assert response.status_code == 202
    rescore_dirty()
    assert Touchpoint.objects.get(key="signup-form").health_score == 100.0
    text = mermaid(api, journey)
    assert diagram_lines(text) == [
        "journey",
        "    title Onboarding day 1 or two",
        "    section Sign-up",
        "      Sign-up form: 5: Web",
        "      Welcome email: 1: Email",
        "    section Empty stage",
        "    section First use",
        "      Setup wizard step 1 of 3 done: 3: Mobile app",
    ]
    lines = text.splitlines()
    assert lines[2].startswith('    %% truthmap: {"truthmap":1,"journey":{"name":"Onboarding: day')
    assert lines[4] == '    %% truthmap: {"stage":{"name":"Sign-up","kind":"purchase"}}'
    assert lines[6].startswith('      %% truthmap: {"touchpoint":{"key":"signup-form",')


def test_our_diagram_imports_as_the_same_journey(api, outsider_api):
    journey = imported(api, document())
    copy_ = imported(outsider_api, {"mermaid": mermaid(api, journey)})
    assert export(outsider_api, copy_) == document()


HOSTILE_NAMES = [
    "Journey planner",
    "journey",
    "Title page",
    "Section lead",
    "accDescr {x",
    "accTitle: x",
    "%% off",
    "50%% off %%{init: {}}%%",
    "x}%%y",
    "a # b",
    "a ; b",
    "a : b",
    "line\nbreak\rand\u2028more",
    "   ",
    "<b>bold</b> & co",
]


def test_names_mermaid_cannot_say_come_back_whole(api, outsider_api):
    body = document()
    body["journey"]["name"] = "%%{init: {'theme': 'dark'}}%% #1"
    body["stages"][1]["name"] = "section: two ; #"
    body["stages"][2]["touchpoints"] = [
        {**body["stages"][2]["touchpoints"][0], "key": f"k{i}", "name": name}
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    body["stages"][2]["touchpoints"][0]["description"] = "%% truthmap: {}\n}%%\nEnd"
    body["stages"][2]["touchpoints"][0]["opportunities"] = "\u2028\u2029\x85%%{"
    response = api.post(IMPORT, body, format="json")
    assert response.status_code == 400  # "   " is no name
    body["stages"][2]["touchpoints"].pop(HOSTILE_NAMES.index("   "))
    journey = imported(api, body)
    text = mermaid(api, journey)
    assert "%%{" not in text
    for line in diagram_lines(text)[1:]:
        assert not set(line) & {"#", ";", "\r", "\u2028"}, line
    assert "      \u200bJourney planner: 3: Mobile app" in text  # not read as `journey`
    assert "      \u200b% off: 3: Mobile app" in text  # not read as a comment
    assert export(outsider_api, imported(outsider_api, {"mermaid": text})) == body


def test_a_journey_of_mermaids_docs_imports(api):
    journey = imported(api, {"mermaid": MERMAID_DOCS_EXAMPLE})
    body = export(api, journey)
    assert body["journey"] == {
        "name": "My working day",
        "persona": "",
        "persona_goals": "",
        "persona_frustrations": "",
        "description": "",
        "lanes": DEFAULT_LANES,
    }
    assert [(stage["name"], stage["kind"]) for stage in body["stages"]] == [
        ("Go to work", "custom"),
        ("Go home", "custom"),
    ]
    touchpoints = [tp for stage in body["stages"] for tp in stage["touchpoints"]]
    assert [(tp["key"], tp["name"], tp["expected_emotion"]) for tp in touchpoints] == [
        ("make-tea", "Make tea", 2),
        ("go-upstairs", "Go upstairs", 0),
        ("do-work", "Do work", -2),
        ("go-downstairs", "Go downstairs", 2),
        ("sit-down", "Sit down", 2),
    ]
    assert {tp["channel"] for tp in touchpoints} == {"other"}
    assert [tp["owner"] for tp in touchpoints] == ["Me", "Me", "Me, Cat", "Me", "Me"]
    assert all(tp["moments"] == [] for tp in touchpoints)


def test_actors_that_name_a_channel_become_it(api):
    text = """```mermaid
---
title: From a README
---
%%{init: {"theme": "forest"}}%%
journey
    accDescr: How customers get help.
    section Discovery
      Search: 4: Web, Marketing team
      Ask a friend: 3: Word of mouth
    section Apoyo
      Llamada: 2: Centro de contacto, Soporte
      Chat: 1: chat, Mobile_App
      Store visit: 5: Store # the flagship
      Two owners: 3: Anna, Ben
    section Lonely
```
"""
    body = export(api, imported(api, {"mermaid": text}))
    assert body["journey"] == {
        "name": "From a README",
        "persona": "",
        "persona_goals": "",
        "persona_frustrations": "",
        "description": "How customers get help.",
        "lanes": DEFAULT_LANES,
    }
    assert [(stage["name"], stage["kind"]) for stage in body["stages"]] == [
        ("Discovery", "discovery"),
        ("Apoyo", "custom"),
        ("Lonely", "custom"),
    ]
    touchpoints = [tp for stage in body["stages"] for tp in stage["touchpoints"]]
    assert [(tp["name"], tp["channel"], tp["owner"]) for tp in touchpoints] == [
        ("Search", "web", "Marketing team"),
        ("Ask a friend", "other", "Word of mouth"),
        ("Llamada", "contact_center", "Soporte"),
        ("Chat", "chat", "Mobile_App"),
        ("Store visit", "store", ""),
        ("Two owners", "other", "Anna, Ben"),
    ]


def test_what_the_diagram_says_wins_over_a_stale_comment(api):
    journey = imported(api, document())
    text = mermaid(api, journey)
    text = text.replace("title Onboarding", "title Renamed onboarding")
    text = text.replace("Welcome email: 1: Email", "Welcome mail: 1: Email")
    body = export(api, imported(api, {"mermaid": text}))
    assert body["journey"]["name"] == "Renamed onboarding"
    welcome = body["stages"][0]["touchpoints"][1]
    assert (welcome["name"], welcome["key"]) == ("Welcome mail", "welcome-email-2")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "line 1: A Mermaid journey starts with `journey`"),
        (
            "graph TD\n  A --> B\n",
            "line 1: A Mermaid journey starts with `journey`, not 'graph TD'",
        ),
        ("\n\njourney\n  title T\n  section A\n    Foo\n", "line 6: A task is `Name: score`"),
        ("journey\n  section A\n    Make tea\n", "line 3: A task is"),
        ("journey\n  section A\n    : 5: Me\n", "line 3: A task needs a name"),
        ("journey\n  section A\n    Make tea: five: Me\n", "line 3: The score is a whole number"),
        ("journey\n  section A\n    Make tea: 6: Me\n", "line 3: The score is a whole number"),
        ("journey\n  section A\n    Make tea: 0\n", "line 3: The score is a whole number"),
        ("journey\n  section A\n    Make tea:\n", "line 3: The score is a whole number"),
        ("journey\n  Make tea: 5: Me\n", "line 2: A task belongs to a section"),
        ("journey\n  section A: B\n", "line 2: A section name cannot hold `:`"),
        ("journey\n  section\n", "line 2: `section` needs a name"),
        ("journey\n  title\n", "line 2: `title` needs a name"),
        ("journey\n  section A\n    Tea: 5; Me\n", "line 3: `;` cannot be used here"),
        ("journey\n  section A\n  journey\n", "line 3: `journey` starts the diagram"),
        ("journey\n  section A\n    Tea: 5: Me\x00\n", "line 3: Text may not contain NUL"),
        ("journey\n  accDescr {\n  never closed\n", "line 4: accDescr { … } is not closed"),
        ("---\ntitle: x\njourney\n", "line 1: The front matter is not closed"),
        (
            "journey\n  section A\n  %% truthmap: {nope\n",
            "line 3: The truthmap comment is not JSON",
        ),
        ("journey\n  %% truthmap: []\n", "line 2: A truthmap comment holds a JSON object"),
        (
            'journey\n  %% truthmap: {"stage": {"name": "A"}}\n',
            "line 2: This truthmap comment describes a stage: put it right below it",
        ),
        (
            'journey\n  section A\n  %% truthmap: {"stage": {"name": "A", "kind": "odd"}}\n',
            "line 3: stage: kind: Must be one of",
        ),
        (
            'journey\n  section A\n  %% truthmap: {"stage": {"name": "A"}}\n'
            '  %% truthmap: {"stage": {"name": "A"}}\n',
            "line 4: The stage above has a truthmap comment already",
        ),
        (
            'journey\n  section A\n    T: 3: Web\n    %% truthmap: {"touchpoint": {"name": "T", '
            '"channel": "fax"}}\n',
            "line 4: touchpoint: channel: Must be one of",
        ),
        (
            'journey\n  %% truthmap: {"truthmap": 2, "journey": {"name": "x"}}\n',
            "line 2: truthmap: Must be 1",
        ),
        (
            'journey\n  %% truthmap: {"truthmap": true, "journey": {"name": "x"}}\n',
            "line 2: truthmap: Must be 1",
        ),
        (
            "journey\n  section A\n    " + "x" * 201 + ": 3: Me\n",
            "line 3: name: At most 200 characters",
        ),
        (
            "journey\n  section A\n    T: 3: Me\n  section B\n    U: 3: " + "o" * 201 + "\n",
            "line 5: owner: At most 200 characters",
        ),
        (
            'journey\n  section A\n    T: 3: Me\n    %% truthmap: {"touchpoint": {"name": "T", '
            '"key": "k"}}\n    U: 3: Me\n    %% truthmap: {"touchpoint": {"name": "U", '
            '"key": "k"}}\n',
            "line 6: key: 'k' is the key of stages[0].touchpoints[0] too.",
        ),
    ],
)
def test_malformed_mermaid_is_a_400_naming_the_line(api, text, error):
    response = api.post(IMPORT, {"mermaid": text}, format="json")
    assert response.status_code == 400, response.content
    (message,) = response.json()["mermaid"]
    assert message.startswith(error), message
    assert not Journey.objects.exists()


@pytest.mark.parametrize(
    "body", [{"mermaid": 5}, {"mermaid": "journey\n", "truthmap": 1}, {"mermaid": None}]
)
def test_the_mermaid_wrapper_is_strict(api, body):
    response = api.post(IMPORT, body, format="json")
    assert response.status_code == 400 and "mermaid" in response.json()


def test_a_viewer_reads_the_diagram_and_another_workspace_does_not(
    api_as, outsider_api, journey, touchpoint
):
    assert "Checkout: 3: Web" in mermaid(api_as("viewer"), journey)
    response = api_as("viewer").post(IMPORT, {"mermaid": MERMAID_DOCS_EXAMPLE}, format="json")
    assert response.status_code == 403
    response = outsider_api.get(f"/api/v1/journeys/{journey.pk}/mermaid/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_an_empty_journey(api):
    journey = imported(api, {"truthmap": 1, "journey": {"name": "Nothing yet"}, "stages": []})
    text = mermaid(api, journey)
    assert diagram_lines(text) == ["journey", "    title Nothing yet"]
    assert export(api, imported(api, {"mermaid": text}))["stages"] == []
