"""The map at real scale in Chromium, at 1280×720 and 1440×900: a stage of 42 touchpoints scrolls
on its own and leaves the others alone, the panel opens in view, the keyboard alone moves a card
and opens and closes its panel, axe-core (the npm package, fetched with `npm pack` into the
gitignored .cache/ on first use, never vendored) finds nothing serious, and the emotion curve
keeps its plot, its gaps and its stage bands."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [(1280, 720), (1440, 900)]
LONG_WORD = "Reconfirmationofthedeliveryaddressbytextmessageandemailforeverycustomer"


def scored(touchpoint, score: float) -> None:
    band = "healthy" if score >= 70 else "at_risk" if score >= 40 else "critical"
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        health_score=score, health_band=band, health_n=20
    )


@pytest.fixture
def big(owner, journey, stages):
    """42 touchpoints in Experience, one with a long word for a name, every other one scored;
    one touchpoint in Discovery, none in the other stages."""
    touchpoint_create(stage=stages[0], name="Search ad", pain_points="Too generic")
    for i in range(42):
        name = LONG_WORD if i == 5 else f"Experience step {i + 1}"
        touchpoint = touchpoint_create(stage=stages[3], name=name, pain_points=f"Pain {i + 1}")
        if i % 2:
            scored(touchpoint, 30 + i)
    return journey


def open_map(page, journey, size) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.locator("#emotion-chart .main-svg").first.wait_for()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_big_stage_scrolls_on_its_own_and_its_last_card_opens_the_panel_in_view(
    page, big, stages, size, tmp_path
):
    open_map(page, big, size)
    height = size[1]
    board = page.locator("#board .map-scroll").bounding_box()
    assert board["y"] + board["height"] <= height  # its horizontal scrollbar on the first screen

    experience = page.get_by_role("region", name="Experience", exact=True)
    cards = experience.locator(".touchpoints")
    assert cards.evaluate("list => list.scrollHeight > list.clientHeight")  # scrolls on its own
    assert experience.bounding_box()["height"] <= board["height"]
    discovery = page.get_by_role("region", name="Discovery", exact=True).bounding_box()
    assert discovery["height"] < 320  # one card: not stretched to the big stage's height
    loyalty = page.get_by_role("region", name="Loyalty", exact=True)
    add = loyalty.locator("summary", has_text="Add touchpoint").bounding_box()
    assert add["y"] - loyalty.bounding_box()["y"] < 120  # right under its header

    overflowing = page.eval_on_selector_all(
        "#board .touchpoint",
        """cards => cards.filter(card => {
            const box = card.getBoundingClientRect(), stage = card.closest(".stage").getBoundingClientRect();
            const inside = [...card.querySelectorAll(".name, .pill, .meta, .move")].every(e => {
              const r = e.getBoundingClientRect();
              return r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
            });
            return card.scrollWidth > card.clientWidth || box.right > stage.right || !inside;
        }).map(card => card.innerText)""",
    )
    assert overflowing == []
    long_name = page.locator(".touchpoint a.name", has_text=LONG_WORD[:20])
    assert long_name.get_attribute("title") == LONG_WORD

    # A lane's cells stay under their stages, as wide as they are.
    stage_boxes = [page.locator(".map-grid > .stage").nth(i).bounding_box() for i in range(6)]
    cells = page.locator(".lane").nth(1).locator(".lane-cell")
    for i, stage_box in enumerate(stage_boxes):
        cell = cells.nth(i).bounding_box()
        assert (round(cell["x"]), round(cell["width"])) == (
            round(stage_box["x"]),
            round(stage_box["width"]),
        )

    last = experience.locator(".touchpoint").last
    last.scroll_into_view_if_needed()
    last.locator("a.name").click()
    title = page.locator("#panel-title")
    title.wait_for()
    assert title.inner_text() == "Experience step 42"
    page.screenshot(path=tmp_path / "panel-from-the-last-card.png")
    box, panel = title.bounding_box(), page.locator("#panel").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height
    assert 0 <= panel["y"] < height and panel["x"] + panel["width"] <= size[0]
    assert page.errors == []


def test_a_stage_folds_and_the_board_fits_the_screen(page, big, stages):
    open_map(page, big, VIEWPORTS[0])
    experience = page.get_by_role("region", name="Experience", exact=True)
    wide = experience.bounding_box()["width"]
    experience.get_by_role("button", name="Fold the stage Experience").click()
    assert experience.bounding_box()["width"] < wide / 4
    assert experience.locator(".touchpoint").first.is_visible() is False
    cell = page.locator(".lane").nth(1).locator(".lane-cell").nth(3)
    assert round(cell.bounding_box()["width"]) == round(experience.bounding_box()["width"])
    page.reload()  # the fold is remembered
    assert page.get_by_role("button", name="Fold the stage Experience").get_attribute(
        "aria-pressed"
    ) == ("true")
    page.get_by_role("button", name="Fold the stage Experience").click()

    scroller = page.locator("#board .map-scroll")
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")  # six stages: wider than 1280
    fit = page.get_by_role("button", name="Fit to screen")
    fit.click()
    assert fit.get_attribute("aria-pressed") == "true"
    assert scroller.evaluate("s => s.scrollWidth <= s.clientWidth + 1")
    last = page.locator(".map-grid > .stage").last.bounding_box()
    assert (
        last["x"] + last["width"]
        <= scroller.bounding_box()["x"] + scroller.bounding_box()["width"] + 1
    )
    fit.click()
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")
    assert page.errors == []


def active_id(page) -> str:
    return page.evaluate("document.activeElement.id")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_keyboard_alone_moves_a_card_and_opens_and_closes_its_panel(
    page, owner, journey, stages, size, tmp_path
):
    first, second, _ = (
        touchpoint_create(stage=stages[0], name=name) for name in ("Ad", "Review site", "Blog")
    )
    touchpoint_create(stage=stages[1], name="Comparison")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.locator("#emotion-chart .main-svg").first.wait_for()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the board"
    page.keyboard.press("Enter")
    assert active_id(page) == f"tp-{first.pk}"
    page.keyboard.press("ArrowDown")
    assert active_id(page) == f"tp-{second.pk}"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.innerText").startswith("Comparison")
    page.keyboard.press("ArrowLeft")  # the card at the same place in the stage on the left
    assert active_id(page) == f"tp-{first.pk}"
    page.keyboard.press("ArrowDown")

    with page.expect_response("**/move/") as moved:
        page.keyboard.press("Alt+ArrowDown")
    assert moved.value.status == 200
    expect(page.locator(f"#tp-{second.pk}")).to_be_focused()
    discovery = page.get_by_role("region", name="Discovery", exact=True)
    assert discovery.locator(".touchpoint a.name").all_inner_texts() == [
        "Ad",
        "Blog",
        "Review site",
    ]
    with page.expect_response("**/move/"):
        page.keyboard.press("Alt+ArrowRight")
    consideration = page.get_by_role("region", name="Consideration", exact=True)
    consideration.locator(f"#tp-{second.pk}").wait_for()
    expect(page.locator(f"#tp-{second.pk}")).to_be_focused()
    assert Touchpoint.objects.get(pk=second.pk).stage_id == stages[1].pk
    page.screenshot(path=tmp_path / "keyboard-focus.png")  # docs/screenshots/

    page.keyboard.press("Enter")
    page.locator("#panel").wait_for()
    expect(page.locator("#panel-title")).to_be_focused()
    assert page.url.endswith(f"/touchpoints/{second.pk}/")
    assert page.locator("#panel-title").inner_text() == "Review site"

    page.keyboard.press("Escape")
    page.locator("#panel").wait_for(state="detached")
    expect(page.locator(f"#tp-{second.pk}")).to_be_focused()
    assert page.url.endswith(f"/journeys/{journey.pk}/")
    page.keyboard.press("Enter")  # and again, from the card focus came back to
    page.locator("#panel").wait_for()
    page.locator("#panel .panel-close").click()
    page.locator("#panel").wait_for(state="detached")
    assert active_id(page) == f"tp-{second.pk}"
    assert page.errors == []


@pytest.mark.parametrize("size", VIEWPORTS)
def test_axe_finds_nothing_serious(page, big, stages, size, axe_js):
    touchpoint = Touchpoint.objects.get(name="Experience step 2")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "alice", "pw-alice")
    page.locator(".journey-card").first.wait_for()
    assert serious_violations(page, axe_js) == []

    page.goto(f"{page.base}/touchpoints/{touchpoint.pk}/")  # the map with the panel open
    page.locator("#emotion-chart .main-svg").first.wait_for()
    assert serious_violations(page, axe_js) == []

    page.goto(f"{page.base}/imports/")
    assert serious_violations(page, axe_js) == []
    assert page.errors == []


@pytest.fixture
def forty(owner, journey, stages):
    """40 touchpoints over the six stages, three quarters of them scored."""
    sizes = (4, 6, 8, 12, 6, 4)
    n = 0
    for stage, size in zip(stages, sizes, strict=True):
        for _ in range(size):
            n += 1
            touchpoint = touchpoint_create(
                stage=stage,
                name=f"{stage.name} touchpoint {n}",
                expected_emotion=(n % 5) - 2,
                pain_points=f"Pain point {n}" if n % 3 == 0 else "",
            )
            if n % 4:
                scored(touchpoint, (n * 37) % 100)
    return journey


def test_the_emotion_curve_reads_at_forty_touchpoints(page, forty, stages, tmp_path):
    open_map(page, forty, VIEWPORTS[0])
    page.screenshot(path=tmp_path / "map-40.png", full_page=True)  # docs/screenshots/
    chart = page.locator("#emotion-chart")
    curve = chart.evaluate(
        """c => ({
            height: c.getBoundingClientRect().height,
            plot: c.querySelector(".nsewdrag").getBoundingClientRect().height,
            angle: c._fullLayout.xaxis.tickangle,
            connectgaps: c.data[1].connectgaps,
            segments: [...c.querySelectorAll(".scatterlayer .trace")[1].querySelectorAll("path.js-line")]
                      .map(line => line.getAttribute("d").split("M").length - 1).reduce((a, b) => a + b, 0),
            bands: c.layout.shapes.length,
            stages: c.layout.annotations.map(a => a.hovertext),
            titles: [...c.querySelectorAll(".xtick text title")].map(t => t.textContent),
        })"""
    )
    assert curve["plot"] >= 220 and curve["height"] > 330  # the plot kept, the labels beside it
    assert curve["angle"] in (-45, -90)
    assert curve["connectgaps"] is False and curve["segments"] > 1  # gaps where no health
    assert curve["bands"] == 6 and curve["stages"] == [s.name for s in stages]
    assert "Experience touchpoint 20" in curve["titles"]
    assert page.errors == []


def test_the_board_picture_holds_every_card_of_a_stage_that_scrolls(page, big, tmp_path):
    """On screen the 42-card stage scrolls within the board; the PNG shows all of it."""
    open_map(page, big, (1280, 720))
    cards = page.get_by_role("region", name="Experience", exact=True).locator(".touchpoints")
    full, shown = cards.evaluate("list => [list.scrollHeight, list.clientHeight]")
    assert full > 2 * shown
    page.locator("details[data-menu]", has_text="Journey document").locator("summary").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="The board as a picture (PNG)").click()
    download.value.save_as(tmp_path / "board.png")
    image = (tmp_path / "board.png").read_bytes()
    assert int.from_bytes(image[20:24], "big") >= 2 * full  # IHDR height, pixel ratio 2
    assert not page.locator(".map-scroll.exporting").count()  # the screen scrolls again
    assert page.errors == []
