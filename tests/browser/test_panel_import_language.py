"""Tagging a moment of truth, importing a CSV with live progress, and the map in Spanish."""

from datetime import UTC, datetime, timedelta

import pytest

from feedback.ingestion import feedback_ingest
from feedback.models import ImportJob, TouchpointSnapshot
from feedback.scoring import rescore_touchpoints
from moments.models import Moment
from tests.browser.conftest import sign_in
from tests.processes import celery_worker, reset_broker

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_tags_a_touchpoint_as_a_moment_of_truth(page, workspace, journey, touchpoint):
    from tests.conftest import make_member

    make_member("ana", workspace, "analyst")
    sign_in(page, "ana", "pw-ana")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.locator(".touchpoint a.name", has_text="Checkout").click()
    panel = page.locator("#panel-slot .panel")
    panel.wait_for()
    assert page.url.endswith(f"/touchpoints/{touchpoint.pk}/")

    form = panel.locator("details.tag-form")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.locator("select[name=type]").select_option("fmot")
    form.locator("select[name=impact]").select_option("5")
    form.locator("textarea[name=rationale]").fill("First encounter with the price.")
    form.locator("button", has_text="Tag").click()
    page.locator(".touchpoint", has_text="Checkout").locator(".badge.moment-fmot").wait_for()
    moment = Moment.objects.get(touchpoint=touchpoint)
    assert (moment.type, moment.impact, moment.tagged_by) == ("fmot", 5, "ana")
    # An analyst tags but does not edit the touchpoint's fields.
    assert panel.locator("text=Save changes").count() == 0
    assert page.errors == []


def test_a_csv_import_shows_its_progress_until_done(page, owner, touchpoint, tmp_path):
    now = datetime.now(UTC).isoformat()
    csv = tmp_path / "survey.csv"
    csv.write_text(
        "touchpoint_key,occurred_at,nps,comment\n"
        + "".join(f"checkout,{now},{i % 11},Row {i}\n" for i in range(300))
        + "nowhere,{now},5,Unknown touchpoint\n"
    )
    reset_broker()
    sign_in(page, "alice", "pw-alice")
    with celery_worker():
        page.goto(f"{page.base}/imports/")
        page.set_input_files("input[type=file]", str(csv))
        page.locator("button", has_text="Start import").click()
        page.wait_for_url("**/imports/*/")
        page.locator("#import-progress .status-done").wait_for(timeout=30_000)
    job = ImportJob.objects.get()
    assert (job.status, job.accepted, job.rejected) == ("done", 300, 1)
    assert page.locator(".progress-percent").inner_text() == "100%"
    assert page.locator("text=No such touchpoint key").count() >= 1
    assert page.errors == []


def test_the_map_switches_to_spanish(page, owner, journey, touchpoint):
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.select_option("#language-switch", "es")
    page.wait_for_load_state("load")
    page.locator("text=Añadir punto de contacto").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("text=Curva emocional").count() == 1
    assert page.errors == []


def switch_language(page, language: str) -> None:
    """Through the switch, waiting for the page it loads (the old page has the same elements
    to wait for); a page already in that language loads none."""
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.select_option("#language-switch", language)
    assert page.locator("html").get_attribute("lang") == language


def test_the_panel_fits_the_spanish_names_of_the_components(page, owner, workspace, touchpoint):
    now = datetime.now(UTC).isoformat()
    answer = {"nps": 9, "csat": 4, "ces": 6, "sentiment": 0.5, "outcome": "resolved"}
    items = [
        {"touchpoint_key": "checkout", "occurred_at": now, "customer_ref": f"c-{i}", **answer}
        for i in range(10)
    ]
    assert feedback_ingest(workspace=workspace, items=items).accepted == 10
    rescore_touchpoints([touchpoint.pk])
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/touchpoints/{touchpoint.pk}/")
    switch_language(page, "es")
    names = page.locator(".panel .component-name")
    names.first.wait_for()
    # Every component counts, so every name is bold: "Sentimiento", the longest, fits its column
    # rather than running into the bar.
    wider = names.evaluate_all(
        "names => names.filter(n => n.scrollWidth > n.clientWidth).map(n => n.innerText)"
    )
    assert names.all_inner_texts() == ["NPS", "CSAT", "CES", "Sentimiento", "Resolución"]
    assert wider == []
    assert page.errors == []


# Months whose abbreviation differs between the two languages: a year of history shows some.
SPANISH_ONLY, ENGLISH_ONLY = {"Ene", "Abr", "Ago", "Dic"}, {"Jan", "Apr", "Aug", "Dec"}


@pytest.mark.parametrize(
    ("language", "ours", "theirs"),
    [("es", SPANISH_ONLY, ENGLISH_ONLY), ("en", ENGLISH_ONLY, SPANISH_ONLY)],
)
def test_the_health_chart_speaks_the_pages_language(
    page, owner, workspace, touchpoint, language, ours, theirs
):
    workspace.window_days = 365
    workspace.save()
    today = datetime.now(UTC).date()
    TouchpointSnapshot.objects.bulk_create(
        TouchpointSnapshot(
            touchpoint=touchpoint, day=today - timedelta(days=d), score=60, band="at_risk", n=9
        )
        for d in range(0, 365, 7)
    )
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/touchpoints/{touchpoint.pk}/")
    switch_language(page, language)
    ticks = page.locator("#panel-history-chart .xtick text")
    ticks.first.wait_for()
    texts = ticks.evaluate_all("ticks => ticks.map(tick => tick.textContent)")
    words = {word for text in texts for word in text.split()}
    assert words & ours, words
    assert not words & theirs, words
    assert page.errors == []
