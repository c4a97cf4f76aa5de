"""Share links in a real browser: a manager makes one from the map's header and copies it; a
visitor who is signed in nowhere opens it and sees the live map, its health and its emotion
curve, and nothing private; once revoked, the link is the 404 page."""

from datetime import UTC, datetime, timedelta

import pytest

from feedback.at_risk import at_risk_refresh_stale
from feedback.ingestion import feedback_ingest
from feedback.scoring import rescore_dirty
from maps.blueprints import BLUEPRINTS, journey_create_from_blueprint
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CUSTOMER = "CUST-SECRET-7731"
COMMENT = "The courier threw my parcel over the fence"


@pytest.fixture
def journey(workspace):
    """The online-purchase template, its checkout hurt by one customer's six bad experiences
    (now at risk) and its delivery and chat doing well."""
    journey = journey_create_from_blueprint(
        workspace=workspace, blueprint=BLUEPRINTS["online-purchase"], name="Online purchase"
    )
    now = datetime.now(UTC) - timedelta(hours=1)
    items = [
        {
            "touchpoint_key": "checkout-payment",
            "occurred_at": (now - timedelta(minutes=i)).isoformat(),
            "customer_ref": CUSTOMER,
            "nps": 1,
            "comment": COMMENT,
        }
        for i in range(6)
    ]
    for key, nps, csat in (("home-delivery", 10, 5), ("chat-support", 8, 4)):
        items += [
            {
                "touchpoint_key": key,
                "occurred_at": (now - timedelta(minutes=i)).isoformat(),
                "customer_ref": f"fan-{i}",
                "nps": nps,
                "csat": csat,
                "comment": "Lovely",
            }
            for i in range(6)
        ]
    assert feedback_ingest(workspace=workspace, items=items).rejected == []
    rescore_dirty()
    at_risk_refresh_stale()
    return journey


def test_a_manager_shares_the_map_and_a_visitor_sees_it_read_only(
    page, chromium, live_server, owner, journey
):
    sign_in(page, "alice", "pw-alice")
    page.goto(f"{page.base}/journeys/{journey.pk}/")
    page.get_by_role("link", name="Share").click()
    page.wait_for_url("**/share/")
    page.select_option("select[name=expires_in]", "7")
    page.get_by_role("button", name="Create a share link").click()
    url = page.locator("#new-share-url").input_value()
    assert url.startswith("http") and "/shared/" in url
    assert page.locator(".share-links-table tbody tr").count() == 1
    page.get_by_role("button", name="Copy").click()
    # The label changes once the browser has written the clipboard, a moment after the click.
    page.get_by_role("button", name="Copied").wait_for(timeout=5000)

    visitor_context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    visitor = visitor_context.new_page()
    errors = []
    visitor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    visitor.on("pageerror", lambda error: errors.append(str(error)))
    shared = live_server.url + "/shared/" + url.rstrip("/").rsplit("/", 1)[1] + "/"
    response = visitor.goto(shared)
    assert response.status == 200
    assert response.headers["x-robots-tag"].startswith("noindex")
    assert response.headers["referrer-policy"] == "no-referrer"
    for stage in ("Discovery", "Consideration", "Purchase", "Experience", "Loyalty"):
        assert visitor.locator(".stage h2", has_text=stage).count() == 1
    card = visitor.locator(".touchpoint", has_text="Checkout and payment")
    assert card.locator(".pill.band-critical").count() == 1
    assert visitor.locator(".touchpoint .pill.band-healthy").count() == 2
    assert visitor.locator("#summary", has_text="Journey health").count() == 1
    visitor.locator(".emotion-chart .main-svg").first.wait_for()  # Plotly drew the curve
    html = visitor.content()
    for private in (CUSTOMER, COMMENT, "Lovely", "Customers at risk", "Sign out"):
        assert private not in html, private
    board = visitor.locator("#board")
    for control in ("button", "input", "select", "form", "a", "[data-sortable]"):
        assert board.locator(control).count() == 0, control
    card.click()  # a card opens nothing
    assert visitor.locator("#panel").count() == 0
    assert errors == []  # no CSP violation, no script error

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("No live share links.").wait_for()
    gone = visitor.goto(shared)
    assert gone.status == 404
    assert visitor.get_by_text("This page is not here").count() == 1
    visitor_context.close()
    assert page.errors == []
