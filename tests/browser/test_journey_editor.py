"""What a CX manager does on the map, in a real browser."""

import pytest

from journeys.models import Journey
from tests.browser.conftest import sign_in
from tests.conftest import make_member
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_creates_a_journey_adds_and_drags_a_touchpoint(page, owner):
    sign_in(page, "alice", "pw-alice")
    page.click("text=New journey")
    page.fill("input[name=name]", "Onboarding")
    page.fill("input[name=persona]", "New subscriber")
    page.click("text=Create journey")
    page.wait_for_url("**/journeys/*/")
    journey = Journey.objects.get(name="Onboarding")
    assert page.locator(".stage").count() == 7  # six stages and the "add stage" column

    discovery = page.get_by_role("region", name="Discovery", exact=True)
    discovery.locator("summary", has_text="Add touchpoint").click()
    discovery.get_by_label("Touchpoint name").fill("Welcome email")
    discovery.locator("select[name=channel]").select_option("email")
    discovery.locator("button", has_text="Add").click()
    card = page.locator(".touchpoint", has_text="Welcome email")
    card.wait_for()
    assert card.locator(".pill").inner_text() == "no data"
    assert discovery.get_by_label("Touchpoint name").input_value() == ""  # ready for the next
    discovery.locator("summary", has_text="Add touchpoint").click()  # done adding

    target = page.get_by_role("region", name="Consideration", exact=True).locator(".touchpoints")
    with page.expect_response("**/move/") as moved:
        card.drag_to(target)
    assert moved.value.status == 200
    page.reload()
    consideration = page.get_by_role("region", name="Consideration", exact=True)
    assert consideration.locator(".touchpoint", has_text="Welcome email").count() == 1
    touchpoint = Touchpoint.objects.get(journey=journey)
    assert (touchpoint.stage.name, touchpoint.position) == ("Consideration", 0)

    page.locator(".touchpoint", has_text="Welcome email").get_by_label(
        "Move to the next stage"
    ).click()
    page.get_by_role("region", name="Purchase", exact=True).locator(".touchpoint").wait_for()
    assert Touchpoint.objects.get(journey=journey).stage.name == "Purchase"
    assert page.errors == []


def test_the_map_draws_health_and_the_emotion_curve(page, owner, journey, touchpoint):
    from datetime import UTC, datetime

    from feedback.ingestion import feedback_ingest
    from feedback.scoring import rescore_touchpoints

    now = datetime.now(UTC).isoformat()
    feedback_ingest(
        workspace=journey.workspace,
        items=[{"touchpoint_key": "checkout", "occurred_at": now, "nps": 10} for _ in range(5)],
    )
    rescore_touchpoints([touchpoint.pk])
    sign_in(page, "alice", "pw-alice")
    scripts = []
    page.on(
        "response", lambda r: scripts.append(r) if r.request.resource_type == "script" else None
    )
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    pill = page.locator(".touchpoint", has_text="Checkout").locator(".pill")
    assert pill.inner_text() == "100.0"
    assert "band-healthy" in pill.get_attribute("class")
    page.locator(".emotion-chart .main-svg").first.wait_for()
    assert page.locator(".emotion-chart .scatterlayer .trace").count() == 2
    # Plotly's full bundle was 4.8 MB; each script comes hashed, gzipped and cached for good.
    assert any("plotly" in script.url for script in scripts)
    for script in scripts:
        assert len(script.body()) <= 1_500_000, script.url
        assert script.headers["content-encoding"] == "gzip", script.url
        assert script.headers["cache-control"] == "max-age=315360000, public, immutable"
    assert page.errors == []


def test_a_viewer_sees_no_edit_controls(page, workspace, journey, touchpoint):
    make_member("victor", workspace, "viewer")
    sign_in(page, "victor", "pw-victor")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.locator(".touchpoint", has_text="Checkout").wait_for()
    for selector in (
        "text=Add touchpoint",
        "text=Add stage",
        "[data-sortable]",
        ".move",
        ".stage-name",
    ):
        assert page.locator(selector).count() == 0, selector
    assert page.locator("text=New journey").count() == 0
    assert page.errors == []


def test_an_edit_of_something_deleted_in_another_tab_says_so_in_place(page, owner, journey):
    from touchpoints.services import touchpoint_create, touchpoint_delete

    gone = touchpoint_create(stage=journey.stages.first(), name="Gone soon", key="gone")
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    card = page.locator(".touchpoint", has_text="Gone soon")
    touchpoint_delete(touchpoint=gone)  # in another tab
    with page.expect_response("**/move/") as moved:
        card.get_by_label("Move down").click()
    assert moved.value.status == 404
    alert = page.locator("#request-error")
    alert.wait_for()
    assert "deleted in another tab" in alert.inner_text()
    assert page.locator("h1", has_text=journey.name).count() == 1  # the map is still there
    assert [e for e in page.errors if "404" not in e] == []


def test_the_panel_opened_from_a_card_draws_its_charts(page, owner, journey, touchpoint):
    from datetime import UTC, datetime

    from feedback.ingestion import feedback_ingest
    from feedback.scoring import rescore_touchpoints

    now = datetime.now(UTC).isoformat()
    feedback_ingest(
        workspace=journey.workspace,
        items=[{"touchpoint_key": "checkout", "occurred_at": now, "nps": n} for n in (2, 9, 10)],
    )
    rescore_touchpoints([touchpoint.pk])  # today's snapshot: the history has a point
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.locator(".touchpoint a.name", has_text="Checkout").click()
    for chart in ("history", "nps"):
        page.locator(f'#panel [data-chart="{chart}"] .main-svg').first.wait_for()
    assert page.errors == []  # among them, any Content-Security-Policy violation


def test_a_name_with_markup_is_text_on_the_emotion_curve(page, owner, journey, stages):
    from touchpoints.services import touchpoint_create

    touchpoint_create(stage=stages[0], name='<a href="https://evil.example">Win</a>', key="x")
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    chart = page.locator(".emotion-chart")
    chart.locator(".main-svg").first.wait_for()
    assert chart.locator("a").count() == 0  # no link made of the name
    assert (
        '<a href="https://evil.example">Win</a>'
        in chart.locator(".xtick text").first.text_content()
    )
    assert page.errors == []
