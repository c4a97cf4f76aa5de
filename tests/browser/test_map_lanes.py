"""The map's lanes, persona, legend and filters in a real browser: custom lanes under their
stages, the empty-filter message, and filters that survive opening and closing a panel."""

import re

import pytest

from journeys.services import journey_update
from tests.browser.conftest import sign_in
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.django_db(transaction=True)

LANES = [
    {"id": "thoughts", "title": "Customer thoughts"},
    {"id": "channel"},
    {"id": "pain_points"},
    {"id": "backstage", "title": "Backstage"},
    {"id": "kpis", "title": "KPIs"},
]
TOUCHPOINTS = [
    # stage, name, channel, pain points, thoughts, backstage, KPIs
    (0, "Search ad", "web", "", "Is this the one I saw?", "SEA team, daily bids", "CTR 3.2%"),
    (1, "Product page", "web", "Sizes unclear", "Will it fit my kitchen?", "PIM sync", ""),
    (1, "Reviews", "social", "", "Others had it break", "", "Rating 4.1"),
    (2, "Checkout", "web", "3-D Secure fails", "Why another code?", "PSP: Adyen", "Conv. 2.8%"),
    (3, "Delivery", "other", "Late slots", "When will it come?", "Carrier API", "On time 91%"),
    (4, "Support chat", "chat", "", "Just fix it", "Zendesk macros", "FCR 68%"),
]


@pytest.fixture
def mapped(journey, stages):
    journey_update(
        journey=journey,
        lanes=LANES,
        persona_goals="Buy the right appliance once, delivered on a day that suits.",
        persona_frustrations="Hidden delivery fees; a checkout that asks for codes twice.",
    )
    for stage, name, channel, pain, thoughts, backstage, kpis in TOUCHPOINTS:
        values = {"thoughts": thoughts, "backstage": backstage, "kpis": kpis}
        touchpoint_create(
            stage=stages[stage],
            name=name,
            channel=channel,
            pain_points=pain,
            lane_values={k: v for k, v in values.items() if v},
        )
    Touchpoint.objects.filter(name="Checkout").update(health_score=35.0, health_band="critical")
    Touchpoint.objects.filter(name="Delivery").update(health_score=58.5, health_band="at_risk")
    return journey


def test_custom_lanes_and_the_persona_on_the_map(page, owner, mapped, tmp_path):
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{mapped.pk}/")
    titles = page.locator("#lanes .lane > h3").all_inner_texts()
    assert titles == ["CUSTOMER THOUGHTS", "CHANNEL", "PAIN POINTS", "BACKSTAGE", "KPIS"]
    # Each value sits under its touchpoint's stage column.
    checkout = page.locator(".stage", has_text="Checkout").first.bounding_box()
    kpis = page.locator("#lanes .lane", has_text="KPIs").locator(".lane-cell").nth(2)
    assert "Checkout: Conv. 2.8%" in kpis.inner_text()
    box = kpis.bounding_box()
    assert abs(box["x"] - checkout["x"]) < 2
    assert page.get_by_text("Hidden delivery fees").is_visible()
    page.locator(".emotion-chart .main-svg").first.wait_for()
    page.screenshot(path=str(tmp_path / "lanes.png"), full_page=True)
    assert page.errors == []


def test_filters_say_when_nothing_matches_and_survive_the_panel(page, owner, mapped, tmp_path):
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{mapped.pk}/")
    status = page.locator("#filter-status")
    assert not status.is_visible()

    page.locator("#filter-channel").select_option("web")
    page.wait_for_url(re.compile(r"channel=web"))
    assert page.locator(".touchpoint.dimmed").count() == 3  # reviews, delivery, support chat
    assert not status.is_visible()

    page.locator(".touchpoint a.name", has_text="Checkout").click()
    page.locator("#panel h2", has_text="Checkout").wait_for()
    assert re.search(r"/touchpoints/[^/]+/\?channel=web$", page.url)
    page.locator("#panel .panel-close").click()
    page.wait_for_url(re.compile(rf"/journeys/{mapped.pk}/\?channel=web$"))
    assert page.locator("#panel").count() == 0
    assert page.locator("#filter-channel").input_value() == "web"
    assert page.locator(".touchpoint.dimmed").count() == 3

    page.locator("#filter-band").select_option("healthy")
    page.wait_for_url(re.compile(r"band=healthy"))
    assert status.is_visible()
    assert status.inner_text().startswith("No touchpoint matches these filters.")
    assert page.locator(".touchpoint.dimmed").count() == len(TOUCHPOINTS)
    status.get_by_role("link", name="Show every touchpoint").click()
    page.wait_for_url(f"{page.base}/journeys/{mapped.pk}/")
    assert page.locator(".touchpoint.dimmed").count() == 0

    page.get_by_text("Legend", exact=True).click()
    assert page.locator(".legend-body").get_by_text("a score of 70 or more").is_visible()
    page.screenshot(path=str(tmp_path / "legend.png"))
    page.goto(f"{page.base}/journeys/{mapped.pk}/lanes/")
    page.screenshot(path=str(tmp_path / "lane-settings.png"))
    assert page.errors == []
