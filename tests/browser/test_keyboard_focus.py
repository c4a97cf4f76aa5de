"""The keyboard in Chromium at 1280×720, where issue 13 left it: the shared map's read-only
keyboard, a skip link to its board and the arrow keys from card to card, with nothing serious
for axe-core."""

import pytest

from journeys.models import ShareLink
from tests.browser.conftest import serious_violations
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = {"width": 1280, "height": 720}


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), id: e.id, text: e.innerText || e.value || "",
                    role: e.getAttribute("role"), invalid: e.getAttribute("aria-invalid"),
                    describedby: e.getAttribute("aria-describedby")};
        }"""
    )


@pytest.fixture
def shared(journey, stages):
    """A share link to a map of three cards: two in Discovery, one in Consideration."""
    for stage, name in ((stages[0], "Ad"), (stages[0], "Review site"), (stages[1], "Comparison")):
        touchpoint_create(stage=stage, name=name)
    _, token = ShareLink.issue(journey=journey)
    return token


def focused_card(page) -> str:
    """The name of the card that has the focus, "" when none has."""
    card = page.evaluate(
        "document.activeElement.matches('#board .touchpoint') ? document.activeElement.innerText : ''"
    )
    return card.split("\n")[0]


def test_the_shared_map_by_keyboard(page, shared, axe_js, tmp_path):
    page.set_viewport_size(SIZE)
    page.goto(f"{page.base}/shared/{shared}/")  # signed in nowhere
    page.locator("#emotion-chart .main-svg").first.wait_for()
    url = page.url
    board = page.locator("#board")
    assert board.get_attribute("aria-describedby") == "board-keys"
    keys = page.locator("#board-keys").inner_text()
    assert keys == "Arrow keys go from touchpoint to touchpoint."
    # One Tab stop on the board: its active card.
    assert page.locator('#board .touchpoint[tabindex="0"]').count() == 1

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the board"
    page.keyboard.press("Enter")
    assert focused_card(page) == "Ad"
    page.keyboard.press("ArrowDown")
    assert focused_card(page) == "Review site"
    page.keyboard.press("ArrowDown")  # the last of its stage: focus stays
    assert focused_card(page) == "Review site"
    page.keyboard.press("ArrowRight")
    assert focused_card(page) == "Comparison"
    page.keyboard.press("ArrowRight")  # no card further right
    assert focused_card(page) == "Comparison"
    page.keyboard.press("ArrowLeft")  # the card at the same place, or the last, on the left
    assert focused_card(page) == "Ad"
    page.keyboard.press("ArrowDown")
    assert focused_card(page) == "Review site"
    page.keyboard.press("ArrowUp")
    assert focused_card(page) == "Ad"
    page.keyboard.press("ArrowRight")
    assert focused_card(page) == "Comparison"
    page.screenshot(path=tmp_path / "shared-keyboard-focus.png")  # docs/screenshots/

    # Read-only: a card opens nothing and moves nowhere; Enter and Esc leave focus where it is.
    for key in ("Enter", "Alt+ArrowLeft", "Escape"):
        page.keyboard.press(key)
        assert focused_card(page) == "Comparison", key
    assert page.url == url and page.locator("#panel").count() == 0
    assert [n.split("\n")[0] for n in page.locator("#board .touchpoint").all_inner_texts()] == [
        "Ad",
        "Review site",
        "Comparison",
    ]

    # Tab leaves the board; Shift+Tab comes back to the card it left.
    page.keyboard.press("Tab")
    assert focused_card(page) == ""
    page.keyboard.press("Shift+Tab")
    assert focused_card(page) == "Comparison"

    assert serious_violations(page, axe_js) == []
    assert page.errors == []
