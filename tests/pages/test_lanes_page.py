"""The map's lanes and persona from the pages: a manager sets the lanes and a touchpoint's texts
for them, members read them, another workspace gets 404; the map's empty filter state, filters
kept through the panel, the legend; constant queries."""

import re

import pytest

from journeys.services import journey_update
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

HTMX = {"HTTP_HX_REQUEST": "true"}
CUSTOM = [
    {"id": "thoughts", "title": "Customer thoughts"},
    {"id": "backstage", "title": "Backstage"},
    {"id": "kpis", "title": "KPIs"},
]


def management(total: int, initial: int) -> dict:
    return {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }


def lane_headings(page: str) -> list[str]:
    lanes = page[page.index('id="lanes"') :]
    return re.findall(r'<div class="lane">\s*<h3>([^<]*)</h3>', lanes)


def lane_cells(page: str, title: str) -> list[str]:
    """The text of each cell of a lane, stage by stage."""
    lanes = page[page.index('id="lanes"') :]
    lane = lanes[lanes.index(f"<h3>{title}</h3>") :]
    lane = lane[: lane.index('<div class="lane">', 1) if '<div class="lane">' in lane[1:] else None]
    cells = re.findall(
        r'<div class="lane-cell">(.*?)</div>\s*(?=<div class="lane-(?:cell|spacer)"|</div>)',
        lane,
        re.S,
    )
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_a_manager_sets_the_lanes(manager_client, journey, touchpoint):
    page = manager_client.get(f"/journeys/{journey.pk}/lanes/").content.decode()
    assert page.count('name="form-') > 0 and "Save lanes" in page
    # Rows: channel, pain points, opportunities, then two blank ones. Hide pain points, put a
    # new lane first and opportunities before channel.
    data = {
        **management(5, 3),
        "form-0-lane": "channel",
        "form-0-shown": "on",
        "form-0-position": "3",
        "form-1-lane": "pain_points",
        "form-1-position": "2",
        "form-2-lane": "opportunities",
        "form-2-shown": "on",
        "form-2-position": "2",
        "form-3-lane": "",
        "form-3-title": "Customer thoughts",
        "form-3-shown": "on",
        "form-3-position": "1",
        "form-4-lane": "",
        "form-4-title": "",
        "form-4-shown": "on",
    }
    response = manager_client.post(f"/journeys/{journey.pk}/lanes/", data)
    assert response.status_code == 302 and response.url == f"/journeys/{journey.pk}/"
    journey.refresh_from_db()
    assert journey.lanes == [
        {"id": "customer-thoughts", "title": "Customer thoughts"},
        {"id": "opportunities"},
        {"id": "channel"},
    ]
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert lane_headings(page) == ["Customer thoughts", "Opportunities", "Channel"]
    # The settings page lists the hidden built-in lane after the shown ones.
    page = manager_client.get(f"/journeys/{journey.pk}/lanes/").content.decode()
    assert page.index("Customer thoughts") < page.index("Pain points")


def test_a_bad_lane_list_is_a_400(manager_client, journey):
    data = {
        **management(2, 0),
        "form-0-title": "x" * 81,
        "form-0-shown": "on",
        "form-1-title": "Twice",
        "form-1-shown": "on",
        "form-1-lane": "channel",
    }
    response = manager_client.post(f"/journeys/{journey.pk}/lanes/", data)
    assert response.status_code == 400
    assert "Ensure this value has at most 80 characters" in response.content.decode()
    data = {**management(1, 0), "form-0-lane": "kpis", "form-0-title": " ", "form-0-shown": "on"}
    response = manager_client.post(f"/journeys/{journey.pk}/lanes/", data)
    assert response.status_code == 400
    assert "Lane 1: a custom lane needs a title." in response.content.decode()
    response = manager_client.post(f"/journeys/{journey.pk}/lanes/", {"form-TOTAL_FORMS": "x"})
    assert response.status_code == 400
    journey.refresh_from_db()
    assert [lane["id"] for lane in journey.lanes] == ["channel", "pain_points", "opportunities"]


def test_the_values_show_under_their_stage(manager_client, journey, stages, touchpoint):
    journey_update(journey=journey, lanes=[*CUSTOM, {"id": "channel"}])
    Touchpoint.objects.filter(pk=touchpoint.pk).update(lane_values={"kpis": "Conversion 3%"})
    search = touchpoint_create(stage=stages[0], name="Search")
    Touchpoint.objects.filter(pk=search.pk).update(lane_values={"thoughts": "Is it <cheap>?"})
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert lane_headings(page) == ["Customer thoughts", "Backstage", "KPIs", "Channel"]
    # Six stages: the search in the first, the checkout in the third.
    assert lane_cells(page, "Customer thoughts") == ["Search: Is it &lt;cheap&gt;?", *[""] * 5]
    assert lane_cells(page, "KPIs") == ["", "", "Checkout: Conversion 3%", "", "", ""]
    assert lane_cells(page, "Backstage") == [""] * 6


def test_a_manager_edits_a_touchpoints_lane_texts_in_its_panel(manager_client, journey, touchpoint):
    journey_update(journey=journey, lanes=CUSTOM)
    panel = manager_client.get(f"/touchpoints/{touchpoint.pk}/", **HTMX).content.decode()
    for lane in CUSTOM:
        assert f'name="lane-{lane["id"]}"' in panel and f">{lane['title']}</label>" in panel
    data = {
        "name": "Checkout",
        "key": "checkout",
        "channel": "web",
        "expected_emotion": "0",
        "lane-thoughts": "Will it take my card?",
        "lane-kpis": "  ",
        "lane-backstage": "PSP",
    }
    response = manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", data, **HTMX)
    assert response.status_code == 200
    touchpoint.refresh_from_db()
    assert touchpoint.lane_values == {"thoughts": "Will it take my card?", "backstage": "PSP"}
    html = response.content.decode()
    assert 'id="lanes" hx-swap-oob="true"' in html
    assert lane_cells(html, "Customer thoughts")[2] == "Checkout: Will it take my card?"
    # Too long: a form error, nothing saved.
    data["lane-backstage"] = "x" * 2_001
    response = manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", data, **HTMX)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    touchpoint.refresh_from_db()
    assert touchpoint.lane_values["backstage"] == "PSP"


def test_members_read_lanes_and_persona_but_cannot_edit(
    viewer_client, analyst_client, journey, touchpoint
):
    journey_update(
        journey=journey,
        lanes=CUSTOM,
        persona_goals="Pay in one click",
        persona_frustrations="Surprise fees",
    )
    Touchpoint.objects.filter(pk=touchpoint.pk).update(lane_values={"kpis": "Conversion 3%"})
    for client in (viewer_client, analyst_client):
        page = client.get(f"/journeys/{journey.pk}/").content.decode()
        assert "Pay in one click" in page and "Surprise fees" in page
        assert lane_cells(page, "KPIs")[2] == "Checkout: Conversion 3%"
        assert f"/journeys/{journey.pk}/lanes/" not in page
        panel = client.get(f"/touchpoints/{touchpoint.pk}/", **HTMX).content.decode()
        assert "<dt>KPIs</dt><dd>Conversion 3%</dd>" in panel and 'name="lane-kpis"' not in panel
        assert client.get(f"/journeys/{journey.pk}/lanes/").status_code == 403
        data = {**management(1, 0), "form-0-title": "Mine", "form-0-shown": "on"}
        assert client.post(f"/journeys/{journey.pk}/lanes/", data).status_code == 403
    journey.refresh_from_db()
    assert journey.lanes == CUSTOM


def test_another_workspace_gets_404(outsider_client, journey):
    assert outsider_client.get(f"/journeys/{journey.pk}/lanes/").status_code == 404
    data = {**management(1, 0), "form-0-title": "Mine", "form-0-shown": "on"}
    assert outsider_client.post(f"/journeys/{journey.pk}/lanes/", data).status_code == 404
    journey.refresh_from_db()
    assert len(journey.lanes) == 3


def test_the_persona_is_edited_with_the_journey(manager_client, journey):
    data = {
        "name": journey.name,
        "persona": "Shopper",
        "description": "",
        "persona_goals": "Find the right size",
        "persona_frustrations": "Returns by post",
        "version": journey.version,
    }
    response = manager_client.post(f"/journeys/{journey.pk}/edit/", data)
    assert response.status_code == 302
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert "<dt>Goals</dt><dd>Find the right size</dd>" in page
    assert "<dt>Frustrations</dt><dd>Returns by post</dd>" in page


@pytest.mark.parametrize("size", [1, 30])
def test_the_map_needs_the_same_queries_with_3_custom_lanes(
    manager_client, journey, stages, size, django_assert_num_queries
):
    journey_update(journey=journey, lanes=[*CUSTOM, {"id": "channel"}])
    for i in range(size):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
        touchpoint.moments.create(type="fmot", impact=3)
        Touchpoint.objects.filter(pk=touchpoint.pk).update(
            lane_values={lane["id"]: f"{lane['title']} {i}" for lane in CUSTOM}
        )
    with django_assert_num_queries(11):  # as tests/pages/test_map_page.py, without lanes
        page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert page.count("KPIs ") == size


def test_a_filter_that_matches_nothing_says_so(manager_client, journey, touchpoint):
    page = manager_client.get(f"/journeys/{journey.pk}/?band=critical").content.decode()
    assert "No touchpoint matches these filters." in page
    assert page.count("touchpoint dimmed") == 1
    page = manager_client.get(f"/journeys/{journey.pk}/?band=no_data").content.decode()
    assert "No touchpoint matches" not in page
    assert (
        "No touchpoint matches"
        not in manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    )


def test_an_edit_under_a_filter_says_whether_anything_still_matches(
    manager_client, journey, touchpoint
):
    current = {"HTTP_HX_CURRENT_URL": f"http://testserver/journeys/{journey.pk}/?channel=web"}
    data = {"name": "Checkout", "key": "checkout", "channel": "email", "expected_emotion": "0"}
    response = manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", data, **HTMX, **current)
    html = response.content.decode()
    status = re.search(r'<p id="filter-status"[^>]*hx-swap-oob="true">([^<]*)', html)
    assert status and status.group(1).startswith("No touchpoint matches")


def test_the_cards_and_the_panel_keep_the_filters(manager_client, journey, touchpoint):
    page = manager_client.get(f"/journeys/{journey.pk}/?type=fmot&channel=web").content.decode()
    detail = f"/touchpoints/{touchpoint.pk}/?type=fmot&amp;channel=web"
    assert f'href="{detail}" hx-get="{detail}"' in page
    current = {"HTTP_HX_CURRENT_URL": f"http://testserver/journeys/{journey.pk}/?type=fmot"}
    panel = manager_client.get(f"/touchpoints/{touchpoint.pk}/?type=fmot", **HTMX, **current)
    close = f"/journeys/{journey.pk}/?type=fmot"
    assert f'href="{close}" hx-get="{close}"' in panel.content.decode()
    # The panel's own page, reloaded: the map behind it highlighted, the close link kept.
    page = manager_client.get(f"/touchpoints/{touchpoint.pk}/?type=fmot").content.decode()
    assert page.count("touchpoint dimmed") == 1
    assert f'href="{close}" hx-get="{close}"' in page


def test_the_map_has_a_legend(manager_client, journey):
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    start = page.index('<details class="legend">')
    legend = page[start : page.index("</details>", start)]
    for text in (
        '<span class="badge moment-fmot">FMOT</span>',
        "First moment of truth",
        "a score of 70 or more",
        "from 40 to under 70",
        "under 40",
    ):
        assert text in legend, text


def test_a_stale_edit_of_a_lane_text_is_a_conflict_naming_it(manager_client, journey, touchpoint):
    journey_update(journey=journey, lanes=CUSTOM)
    touchpoint.refresh_from_db()
    data = {
        "name": "Checkout",
        "key": "checkout",
        "channel": "web",
        "expected_emotion": "0",
        "lane-kpis": "Mine",
        "version": touchpoint.version,
    }
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        lane_values={"kpis": "Theirs"}, version=touchpoint.version + 1
    )
    response = manager_client.post(f"/touchpoints/{touchpoint.pk}/edit/", data, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert '<dt>KPIs</dt><dd>Theirs <span class="muted">(yours: Mine)</span></dd>' in html
    touchpoint.refresh_from_db()
    assert touchpoint.lane_values == {"kpis": "Theirs"}


def test_lanes_saved_over_a_newer_change_are_a_conflict(manager_client, journey):
    page = manager_client.get(f"/journeys/{journey.pk}/lanes/").content.decode()
    read_at = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    journey_update(journey=journey, lanes=CUSTOM)  # in another tab
    data = {**management(1, 0), "form-0-title": "Mine", "form-0-shown": "on", "version": read_at}
    response = manager_client.post(f"/journeys/{journey.pk}/lanes/", data)
    assert response.status_code == 409
    assert "Someone else changed this journey" in response.content.decode()
    assert 'value="Backstage"' in response.content.decode()
    journey.refresh_from_db()
    assert journey.lanes == CUSTOM
    data["version"] = "zero"
    assert manager_client.post(f"/journeys/{journey.pk}/lanes/", data).status_code == 400
