"""Share links in the pages: a journey's managers make, copy and revoke them on its share page;
whoever holds one sees the live map read-only, without signing in, and nothing private."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from feedback.at_risk import at_risk_refresh_stale
from feedback.ingestion import feedback_ingest
from feedback.scoring import rescore_dirty
from journeys.models import ShareLink
from maps.sharing import share_link_create
from touchpoints.services import touchpoint_create

HTMX = {"HTTP_HX_REQUEST": "true"}
CUSTOMER = "CUST-SECRET-7731"
COMMENT = "The courier threw my parcel over the fence"


def shared_path(journey) -> str:
    _, url = share_link_create(journey=journey)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def scored(workspace, journey, touchpoint, moment):
    """Checkout scored critical from six bad experiences of one customer, now at risk."""
    now = datetime.now(UTC) - timedelta(hours=1)
    items = [
        {
            "touchpoint_key": "checkout",
            "occurred_at": (now - timedelta(minutes=i)).isoformat(),
            "customer_ref": CUSTOMER,
            "nps": 1,
            "comment": COMMENT,
        }
        for i in range(6)
    ]
    assert feedback_ingest(workspace=workspace, items=items).rejected == []
    rescore_dirty()
    at_risk_refresh_stale()
    touchpoint.refresh_from_db()
    assert touchpoint.health_band == "critical"
    return journey


def test_the_share_page_makes_a_link_and_shows_it_once(manager_client, journey):
    url = f"/journeys/{journey.pk}/share/"
    page = manager_client.get(url)
    assert page.status_code == 200
    assert "No live share links." in page.content.decode()
    response = manager_client.post(url, {"expires_in": "7"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="share-links"')  # the partial alone
    shown = re.search(r'value="(http[^"]+/shared/[^"]+/)"', html).group(1)
    link = ShareLink.objects.get()
    assert link.created_by == "alice"
    assert timedelta(days=6, hours=23) < link.expires_at - datetime.now(UTC) <= timedelta(days=7)
    assert Client().get(shared_path_of(shown)).status_code == 200
    again = manager_client.get(url).content.decode()
    assert shown not in again  # shown once
    assert f'id="share-link-{link.pk}"' in again


def shared_path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_without_htmx_the_post_answers_the_whole_page(manager_client, journey):
    response = manager_client.post(f"/journeys/{journey.pk}/share/", {"expires_in": ""})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert ShareLink.objects.get().expires_at is None


@pytest.mark.parametrize("expires_in", ["3", "forever", "-1"])
def test_a_bad_expiry_is_a_form_error(manager_client, journey, expires_in):
    response = manager_client.post(
        f"/journeys/{journey.pk}/share/", {"expires_in": expires_in}, **HTMX
    )
    assert response.status_code == 400
    assert 'class="error' in response.content.decode()
    assert not ShareLink.objects.exists()


def test_revoking_takes_the_link_away(manager_client, journey):
    path = shared_path(journey)
    link = ShareLink.objects.get()
    response = manager_client.post(f"/share-links/{link.pk}/revoke/", **HTMX)
    assert response.status_code == 200
    assert "No live share links." in response.content.decode()
    assert Client().get(path).status_code == 404
    plain = manager_client.post(f"/share-links/{link.pk}/revoke/")
    assert plain.status_code == 404  # revoked already


def test_a_plain_revoke_goes_back_to_the_share_page(manager_client, journey):
    shared_path(journey)
    link = ShareLink.objects.get()
    response = manager_client.post(f"/share-links/{link.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == f"/journeys/{journey.pk}/share/"


def test_only_managers_share(analyst_client, viewer_client, journey):
    shared_path(journey)
    link = ShareLink.objects.get()
    for client in (analyst_client, viewer_client):
        assert client.get(f"/journeys/{journey.pk}/share/").status_code == 403
        assert client.post(f"/journeys/{journey.pk}/share/", {}).status_code == 403
        assert client.post(f"/share-links/{link.pk}/revoke/").status_code == 403
        assert "/share/" not in client.get(f"/journeys/{journey.pk}/").content.decode()
    assert ShareLink.objects.live().count() == 1


def test_the_map_header_links_to_the_share_page_for_managers(manager_client, journey):
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert f'href="/journeys/{journey.pk}/share/"' in page


def test_another_workspaces_journey_and_links_are_404(outsider_client, journey):
    shared_path(journey)
    link = ShareLink.objects.get()
    assert outsider_client.get(f"/journeys/{journey.pk}/share/").status_code == 404
    assert outsider_client.post(f"/journeys/{journey.pk}/share/", {}).status_code == 404
    assert outsider_client.post(f"/share-links/{link.pk}/revoke/").status_code == 404
    assert ShareLink.objects.live().count() == 1


def assert_read_only(html: str) -> None:
    """No edits anywhere in the page's main part (its one form is the highlight filters, a GET)
    and no control at all on the board."""
    main = html.split("<main", 1)[1]
    for edit in ('method="post"', "hx-post", "hx-get", "data-sortable", 'class="move"'):
        assert edit not in main, edit
    board = main.split('id="board"', 1)[1]
    for control in ("<input", "<button", "<select", "<form", "<details"):
        assert control not in board, control


def test_the_shared_map_shows_the_map_and_nothing_private(scored, stages):
    response = Client().get(shared_path(scored))
    assert response.status_code == 200
    html = response.content.decode()
    for stage in stages:
        assert stage.name in html
    assert "Checkout" in html and "band-critical" in html
    assert 'data-chart="emotion"' in html and 'id="emotion-curve-data"' in html
    assert "Journey health" in html
    for private in (CUSTOMER, COMMENT[:20], "Customers at risk", "/at-risk/"):
        assert private not in html, private
    assert_read_only(html)
    links = re.findall(r'href="([^"]+)"', html)
    # No way into the app: static files, and the skip link to the page's own content.
    assert all(href.startswith(("/static/", "#")) for href in links), links
    assert '<meta name="robots" content="noindex' in html


def test_the_shared_map_is_sent_unindexed_uncached_and_without_referrer(journey):
    response = Client().get(shared_path(journey))
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()  # no inline script


def test_a_signed_in_manager_sees_it_read_only_too(manager_client, journey, touchpoint):
    html = manager_client.get(shared_path(journey)).content.decode()
    assert "Checkout" in html
    assert_read_only(html)


def test_its_highlight_filters_stay_on_the_shared_page(journey, touchpoint):
    path = shared_path(journey)
    html = Client().get(path + "?band=healthy").content.decode()
    assert f'action="{path}"' in html
    assert "dimmed" in html


def test_the_shared_map_has_the_same_number_of_queries_whatever_the_size(
    journey, stages, django_assert_num_queries
):
    path = shared_path(journey)
    touchpoint_create(stage=stages[0], name="First")
    # The link with its journey and workspace, then the stages, touchpoints and moments.
    with django_assert_num_queries(4):
        assert Client().get(path).status_code == 200
    for i in range(40):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
        touchpoint.moments.create(type="fmot", impact=3)
    with django_assert_num_queries(4):
        assert Client().get(path).status_code == 200
