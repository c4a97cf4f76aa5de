"""The print view on paper, in a real browser: Chromium prints it to a landscape A4 PDF with every
stage on it and no control, and the charts download as PNG and SVG."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from feedback.ingestion import feedback_ingest
from journeys.services import journey_create
from tests.browser.conftest import sign_in
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)

CONTROLS = "button, form, nav, select, input, textarea, details, .topbar, .chart-downloads"


@pytest.fixture
def board(owner, journey, stages):
    """A card or two in every stage, scored, with names long enough to wrap."""
    for i, stage in enumerate(stages):
        for j in range(1 + i % 2):
            touchpoint = touchpoint_create(
                stage=stage, name=f"{stage.name} touchpoint number {j + 1}", expected_emotion=1
            )
            Touchpoint.objects.filter(pk=touchpoint.pk).update(
                health_score=30 + 10 * i, health_band="at_risk", health_n=20
            )
    return journey


def drawn(page, url: str) -> None:
    page.goto(url)
    page.locator("#emotion-chart .main-svg").first.wait_for()


def test_it_prints_the_whole_map_on_landscape_pages(page, board, stages):
    sign_in(page, "alice", "pw-alice")
    drawn(page, f"{page.base}/journeys/{board.pk}/print/")
    page.emulate_media(media="print")

    controls = page.locator(CONTROLS)
    assert controls.count() > 5  # the layout's and the sheet's: all there, none shown
    assert [i for i in range(controls.count()) if controls.nth(i).is_visible()] == []
    sheet = page.locator(".print-sheet").bounding_box()
    chart = page.locator("#emotion-chart .main-svg").first.bounding_box()
    assert chart["x"] >= sheet["x"] and chart["x"] + chart["width"] <= sheet["x"] + sheet["width"]
    overflowing = page.eval_on_selector_all(
        ".print-sheet .stage, .print-sheet .touchpoint",
        "els => els.filter(e => e.scrollWidth > e.clientWidth).length",
    )
    assert overflowing == 0

    pdf = PdfReader(io.BytesIO(page.pdf(landscape=True, format="A4")))
    assert len(pdf.pages) >= 1
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Online purchase" in text and "Persona: Shopper" in text
    for stage in stages:
        assert stage.name in text
    assert "Discovery touchpoint number 1" in text and "60.0" in text
    for control in ("Sign out", "Download", "Back to the map", "Journeys Import"):
        assert control not in text
    assert page.errors == []


def test_a_long_journey_wraps_its_stages_in_rows_of_seven(page, owner, workspace):
    names = [f"Stage number {i}" for i in range(11)]
    journey = journey_create(
        workspace=workspace, name="Long", stages=[{"name": n, "kind": "custom"} for n in names]
    )
    for stage in journey.stages.all():
        touchpoint_create(stage=stage, name=f"Touchpoint of {stage.name}", pain_points="Slow")
    sign_in(page, "alice", "pw-alice")
    drawn(page, f"{page.base}/journeys/{journey.pk}/print/")
    page.emulate_media(media="print")

    stages = [page.locator(".stage").nth(i).bounding_box() for i in (0, 6, 7)]
    assert stages[0]["y"] == stages[1]["y"] < stages[2]["y"]  # the eighth starts a new row
    assert stages[2]["x"] == stages[0]["x"]
    cells = page.locator(".lane").nth(1).locator(".lane-cell")  # pain points
    assert cells.nth(7).bounding_box()["x"] == stages[2]["x"]  # under its own stage
    overflowing = page.eval_on_selector_all(
        ".print-sheet .stage, .print-sheet .touchpoint, .print-sheet .lane-cell",
        "els => els.filter(e => e.scrollWidth > e.clientWidth).length",
    )
    assert overflowing == 0
    pdf = PdfReader(io.BytesIO(page.pdf(landscape=True, format="A4")))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert [name for name in names if name not in text] == []


def test_the_print_button_opens_the_print_dialog(page, board):
    page.add_init_script("window.print = () => { window.printed = true; };")
    sign_in(page, "alice", "pw-alice")
    drawn(page, f"{page.base}/journeys/{board.pk}/print/")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    assert page.errors == []


def test_the_emotion_curve_downloads_as_svg_and_png(page, board, tmp_path):
    sign_in(page, "alice", "pw-alice")
    drawn(page, f"{page.base}/journeys/{board.pk}/")
    downloads = page.get_by_role("group", name="Download the chart")
    with page.expect_download() as svg:
        downloads.get_by_role("button", name="SVG").click()
    assert svg.value.suggested_filename == "online-purchase-emotion-curve.svg"
    svg.value.save_as(tmp_path / "curve.svg")
    picture = (tmp_path / "curve.svg").read_text()
    assert picture.startswith("<svg") and "Measured experience" in picture

    with page.expect_download() as png:
        downloads.get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "online-purchase-emotion-curve.png"
    png.value.save_as(tmp_path / "curve.png")
    image = (tmp_path / "curve.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(image) > 10_000  # a drawn chart, at twice the size on screen
    assert page.errors == []


def test_the_other_charts_download_too(page, board, tmp_path):
    touchpoint = Touchpoint.objects.get(name="Purchase touchpoint number 1")
    feedback_ingest(
        workspace=board.workspace,
        items=[
            {"touchpoint": str(touchpoint.pk), "occurred_at": timezone.now().isoformat(), "nps": n}
            for n in (2, 7, 9, 10)
        ],
    )
    sign_in(page, "alice", "pw-alice")  # the dashboard, with each journey's sparkline
    page.locator(f"[id='{board.pk}-sparkline'] .main-svg").first.wait_for()
    with page.expect_download() as sparkline:
        page.get_by_role("group", name="Download the chart").get_by_role(
            "button", name="SVG"
        ).click()
    assert sparkline.value.suggested_filename == "online-purchase-health.svg"

    page.goto(f"{page.base}/touchpoints/{touchpoint.pk}/")  # the panel's NPS answers
    page.locator("#panel-nps-chart .main-svg").first.wait_for()
    with page.expect_download() as nps:
        page.locator("[data-chart-for=panel-nps-chart][data-chart-download=png]").click()
    assert nps.value.suggested_filename == f"{touchpoint.key}-nps.png"
    nps.value.save_as(tmp_path / "nps.png")
    assert (tmp_path / "nps.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.errors == []


def test_the_board_downloads_as_a_png_of_its_whole_width(page, board, tmp_path):
    sign_in(page, "alice", "pw-alice")
    page.set_viewport_size({"width": 900, "height": 900})  # the board scrolls sideways
    drawn(page, f"{page.base}/journeys/{board.pk}/")
    # From the board's left edge to the last stage's right one, the "add stage" column left out.
    board_width = page.evaluate(
        """() => {
            const board = document.querySelector("#board .map-scroll");
            const last = [...board.querySelectorAll(".stage")].at(-2);
            return Math.ceil(last.getBoundingClientRect().right - board.getBoundingClientRect().left);
        }"""
    )
    assert 900 < board_width < page.eval_on_selector("#board .map-scroll", "el => el.scrollWidth")
    export_menu = page.locator("details[data-menu]", has_text="Journey document")
    export_menu.locator("summary").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="The board as a picture (PNG)").click()
    assert download.value.suggested_filename == "online-purchase-board.png"
    download.value.save_as(tmp_path / "board.png")
    image = (tmp_path / "board.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(image[16:20], "big") == 2 * board_width  # IHDR width, pixel ratio 2
    assert export_menu.get_attribute("open") is None
    assert page.errors == []
