"""The keyboard in Chromium at 1280×720, where issue 13 left it: the panel saved by keyboard
alone, focus going after each answer (saved, a field in error, someone else's newer change) to
what it says, never to the page's body; and the shared map's read-only keyboard, a skip link to
its board and the arrow keys from card to card, with nothing serious for axe-core."""

import pytest
from playwright.sync_api import expect

from journeys.models import ShareLink
from tests.browser.conftest import serious_violations, sign_in
from touchpoints.models import Touchpoint
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


def tab_to(page, element_id: str, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until the element of this id has the focus."""
    for _ in range(60):
        if focused(page)["id"] == element_id:
            return
        page.keyboard.press(key)
    pytest.fail(f"#{element_id} was never reached with {key}")


def tab_to_save(page) -> None:
    for _ in range(20):
        if focused(page)["text"] == "Save changes":
            return
        page.keyboard.press("Tab")
    pytest.fail("the Save button was never reached with Tab")


def open_panel_by_keyboard(page, touchpoint) -> None:
    page.keyboard.press("Enter")
    page.locator("#panel").wait_for()
    expect(page.locator("#panel-title")).to_be_focused()
    assert page.url.endswith(f"/touchpoints/{touchpoint.pk}/")


def test_focus_follows_the_panels_answer_to_a_save_by_keyboard(
    page, chromium, live_server, owner, touchpoint, delivery, tmp_path
):
    page.set_viewport_size(SIZE)
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{touchpoint.journey_id}/")
    page.locator("#emotion-chart .main-svg").first.wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link, to the board's first card
    assert focused(page)["id"] == f"tp-{touchpoint.pk}"
    open_panel_by_keyboard(page, touchpoint)

    # Saved: focus on the status that says so; Esc closes the panel, focus back on the card.
    tab_to(page, "touchpoint-name")
    page.keyboard.type("Checkout and payment")  # Tab selected the name: typing replaces it
    tab_to_save(page)
    with page.expect_response("**/edit/") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(page.locator("#panel-saved")).to_be_focused()
    assert focused(page) == {
        "tag": "p",
        "id": "panel-saved",
        "text": "The touchpoint was saved.",
        "role": "status",
        "invalid": None,
        "describedby": None,
    }
    assert Touchpoint.objects.get(pk=touchpoint.pk).name == "Checkout and payment"
    expect(page.locator(f"#tp-{touchpoint.pk} a.name")).to_have_text("Checkout and payment")
    page.screenshot(path=tmp_path / "panel-saved-focus.png")  # docs/screenshots/
    page.keyboard.press("Escape")
    page.locator("#panel").wait_for(state="detached")
    expect(page.locator(f"#tp-{touchpoint.pk}")).to_be_focused()

    # A field in error: focus on it, however the form was sent (here Enter in another field,
    # whose focus htmx would otherwise keep), described by its error.
    open_panel_by_keyboard(page, touchpoint)
    tab_to(page, "touchpoint-key")
    page.keyboard.type("delivery")  # the other touchpoint's key
    tab_to(page, "touchpoint-name", "Shift+Tab")
    with page.expect_response("**/edit/") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 400
    expect(page.locator("#touchpoint-key")).to_be_focused()
    key = focused(page)
    assert (key["invalid"], key["describedby"]) == ("true", "touchpoint-key_error")
    assert page.locator("#touchpoint-key_error").inner_text() == (
        "Another touchpoint of the workspace uses this key."
    )

    # Someone else saves the touchpoint meanwhile; this save is a conflict: focus on it.
    other_context = chromium.new_context(viewport=SIZE, locale="en-US")
    other = other_context.new_page()
    other.base = live_server.url
    sign_in(other, "alice", "pw-alice")
    other.goto(f"{live_server.url}/touchpoints/{touchpoint.pk}/")
    other.fill("#touchpoint-name", "Checkout, as Bob has it")
    with other.expect_response("**/edit/") as theirs:
        other.get_by_role("button", name="Save changes").click()
    assert theirs.value.status == 200
    other_context.close()

    page.keyboard.press("Control+A")
    page.keyboard.type("checkout-2")
    tab_to_save(page)
    with page.expect_response("**/edit/") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 409
    expect(page.locator("#panel-conflict")).to_be_focused()
    conflict = focused(page)
    assert conflict["role"] == "alert"
    assert conflict["text"].startswith("Someone else changed this touchpoint")
    assert "Checkout, as Bob has it" in conflict["text"]
    assert Touchpoint.objects.get(pk=touchpoint.pk).key == "checkout"  # nothing of ours saved
    page.keyboard.press("Escape")
    page.locator("#panel").wait_for(state="detached")
    expect(page.locator(f"#tp-{touchpoint.pk}")).to_be_focused()
    # Chromium's console names the two answers in error; nothing else went wrong.
    assert page.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)",
        "Failed to load resource: the server responded with a status of 409 (Conflict)",
    ]


@pytest.fixture
def shared(journey, stages):
    """A share link to a map of three cards: two in Discovery, one in Consideration; the Ad's
    pain points are longer than their lane cell shows."""
    for stage, name in ((stages[0], "Ad"), (stages[0], "Review site"), (stages[1], "Comparison")):
        touchpoint_create(stage=stage, name=name)
    Touchpoint.objects.filter(name="Ad").update(pain_points="Too generic. " * 60)
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
    # One Tab stop on the board: its active card; and the lane cell that scrolls, to scroll it.
    assert page.locator('#board .touchpoint[tabindex="0"]').count() == 1
    assert (
        page.locator('#board .lane-cell[tabindex="0"]')
        .all_inner_texts()[0]
        .startswith("Ad: Too generic.")
    )

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
