"""Our Mermaid diagrams against the real grammar: Mermaid itself (the npm package, fetched with
`npm pack` into the gitignored .cache/ on first use, never vendored) parses and renders them in
Chromium, reading the sections, tasks, scores and actors we meant; and what our import refuses
as malformed, Mermaid refuses too."""

from pathlib import Path

import pytest
from django.utils import translation

from maps.blueprints import BLUEPRINTS, blueprint_document
from maps.mermaid import mermaid_from_document
from tests.api.test_journey_documents import document, imported
from tests.api.test_mermaid import HOSTILE_NAMES, MERMAID_DOCS_EXAMPLE, mermaid
from tests.browser.conftest import npm_file

MERMAID_VERSION = "12.3.0"  # the grammar checked against; change it deliberately

READ = """async (text) => {
  mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
  await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const read = {
    type: diagram.type,
    title: db.getDiagramTitle(),
    sections: db.getSections(),
    tasks: db.getTasks().map((t) => [t.section, t.task, t.score, t.people]),
  };
  const {svg} = await mermaid.render("diagram" + Math.floor(Math.random() * 1e9), text);
  read.svg = svg;
  return read;
}"""
REFUSES = """async (text) => {
  mermaid.initialize({startOnLoad: false});
  try { await mermaid.parse(text); return null; } catch (error) { return String(error.message); }
}"""


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    return npm_file("mermaid", MERMAID_VERSION, "dist/mermaid.min.js")


@pytest.fixture(scope="module")
def mermaid_page(chromium, mermaid_js):
    page = chromium.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(mermaid_js))
    yield page
    page.close()


def read(page, text: str) -> dict:
    return page.evaluate(READ, text)


def test_mermaid_reads_its_own_example(mermaid_page):
    diagram = read(mermaid_page, MERMAID_DOCS_EXAMPLE)
    assert diagram["type"] == "journey" and diagram["title"] == "My working day"
    assert diagram["tasks"][2] == ["Go to work", "Do work", 1, ["Me", "Cat"]]


@pytest.mark.django_db
def test_mermaid_reads_our_diagram_as_we_meant_it(mermaid_page, api):
    body = document()
    body["journey"]["name"] = "Onboarding: day #1; %%{init: {}}%%"
    body["stages"][2]["touchpoints"] = [
        {**body["stages"][2]["touchpoints"][0], "key": f"k{i}", "name": name}
        for i, name in enumerate(name for name in HOSTILE_NAMES if name.strip())
    ]
    body["stages"][2]["touchpoints"][0]["pain_points"] = "%%{init: {}}%%\n}%%\u2028#;"
    text = mermaid(api, imported(api, body))
    diagram = read(mermaid_page, text)
    assert diagram["title"] == "Onboarding day 1 %{init {}}%"
    assert diagram["sections"] == ["Sign-up", "Empty stage", "First use"]
    assert diagram["tasks"][:2] == [
        ["Sign-up", "Sign-up form", 4, ["Web"]],
        ["Sign-up", "Welcome email", 1, ["Email"]],
    ]
    names = [task[1].removeprefix("\u200b") for task in diagram["tasks"][2:]]
    assert names == [
        "Journey planner",
        "journey",
        "Title page",
        "Section lead",
        "accDescr {x",
        "accTitle x",
        "% off",
        "50% off %{init {}}%",
        "x}%y",
        "a b",
        "a b",
        "a b",
        "line break and more",
        "<b>bold</b> & co",
    ]
    assert {tuple(task[3]) for task in diagram["tasks"][2:]} == {("Mobile app",)}
    assert "Welcome email" in diagram["svg"] and "Journey planner" in diagram["svg"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_mermaid_reads_every_template(mermaid_page, language):
    with translation.override(language):
        for blueprint in BLUEPRINTS.values():
            template = blueprint_document(blueprint)
            diagram = read(mermaid_page, mermaid_from_document(template, {}))
            assert diagram["title"] == template["journey"]["name"]
            tasks = [tp for stage in template["stages"] for tp in stage["touchpoints"]]
            assert [task[1] for task in diagram["tasks"]] == [tp["name"] for tp in tasks]
            assert [task[2] for task in diagram["tasks"]] == [
                tp["expected_emotion"] + 3 for tp in tasks
            ]


@pytest.mark.parametrize(
    "text",
    [
        "journey\n  title T\n  section A\n    Make tea\n",
        "journey\n  section A\n    : 5: Me\n",
        "journey\n  section A\n    Tea: 5; Me\n",
        "journey\n  section A\n  journey\n",
        "journey\n  section A: B\n",
        "journey\n  section A\n    Section lead: 5: Me\n",
    ],
)
def test_what_our_import_calls_malformed_mermaid_refuses_too(mermaid_page, api, text):
    assert mermaid_page.evaluate(REFUSES, text) is not None
    response = api.post("/api/v1/journeys/import/", {"mermaid": text}, format="json")
    assert response.status_code == 400
