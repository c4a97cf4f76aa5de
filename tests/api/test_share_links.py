"""journeys/{id}/share-links/ and share-links/{id}/: managers make read-only links to a journey's live map, list the
live ones and revoke them; the URL is shown once, and a revoked or expired one answers 404."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from journeys.models import ShareLink
from workspaces.models import Role


def links_url(journey) -> str:
    return f"/api/v1/journeys/{journey.pk}/share-links/"


def create(api, journey, **body):
    response = api.post(links_url(journey), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def in_a_week() -> str:
    return (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0).isoformat()


def test_a_manager_creates_one_that_opens_the_map_without_signing_in(api, journey, settings):
    settings.SITE_URL = "https://truthmap.example.com/"
    expires_at = in_a_week()
    body = create(api, journey, expires_at=expires_at)
    assert set(body) == {"id", "journey", "url", "expires_at", "created_at", "created_by"}
    assert body["url"].startswith("https://truthmap.example.com/shared/")
    assert body["created_by"] == "alice"
    assert datetime.fromisoformat(body["expires_at"]) == datetime.fromisoformat(expires_at)
    token = body["url"].rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    link = ShareLink.objects.get()
    assert token not in link.token_hash  # only its hash is kept
    response = Client().get(body["url"].removeprefix("https://truthmap.example.com"))
    assert response.status_code == 200
    assert journey.name in response.content.decode()


def test_without_expiry_it_never_expires(api, journey):
    assert create(api, journey)["expires_at"] is None
    assert create(api, journey, expires_at=None)["expires_at"] is None


def test_the_list_shows_the_live_ones_without_their_urls(api, journey):
    first, second, revoked = (create(api, journey) for _ in range(3))
    assert api.delete(f"/api/v1/share-links/{revoked['id']}/").status_code == 204
    response = api.get(links_url(journey))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [link["id"] for link in results] == [second["id"], first["id"]]
    assert all("url" not in link for link in results)


def test_a_revoked_link_answers_404(api, journey):
    body = create(api, journey)
    path = body["url"].split("://", 1)[1].split("/", 1)[1]
    assert Client().get(f"/{path}").status_code == 200
    response = api.delete(f"/api/v1/share-links/{body['id']}/")
    assert response.status_code == 204
    page = Client().get(f"/{path}")
    assert page.status_code == 404
    assert "This page is not here" in page.content.decode()  # the styled 404 page
    link = ShareLink.objects.get()
    assert (link.revoked_by, link.revoked_at is not None) == ("alice", True)
    assert api.delete(f"/api/v1/share-links/{body['id']}/").status_code == 404


def test_an_expired_link_answers_404_and_leaves_the_list(api, journey):
    body = create(api, journey, expires_at=in_a_week())
    path = "/" + body["url"].split("://", 1)[1].split("/", 1)[1]
    ShareLink.objects.update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert api.get(links_url(journey)).json()["results"] == []
    assert api.delete(f"/api/v1/share-links/{body['id']}/").status_code == 404


def test_an_unknown_token_answers_404(journey, api):
    create(api, journey)
    assert Client().get("/shared/not-a-token/").status_code == 404


@pytest.mark.parametrize(
    "expires_at",
    ["2020-01-01T00:00:00Z", "yesterday", "2026-13-01T00:00:00Z", 12, ["2030-01-01"], ""],
)
def test_a_bad_or_past_expiry_is_400(api, journey, expires_at):
    response = api.post(links_url(journey), {"expires_at": expires_at}, format="json")
    assert response.status_code == 400, response.content
    assert "expires_at" in response.json()
    assert not ShareLink.objects.exists()


def test_a_body_that_is_no_object_is_400(api, journey):
    response = api.post(links_url(journey), [1], format="json")
    assert response.status_code == 400
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER])
def test_only_managers_make_see_and_revoke_them(api, api_as, journey, role):
    link = create(api, journey)
    client = api_as(role)
    assert client.get(links_url(journey)).status_code == 403
    assert client.post(links_url(journey), {}, format="json").status_code == 403
    assert client.get(f"/api/v1/share-links/{link['id']}/").status_code == 403
    assert client.delete(f"/api/v1/share-links/{link['id']}/").status_code == 403
    assert ShareLink.objects.live().count() == 1


def test_a_link_reads_with_its_journey_and_never_its_url(api, journey):
    link = create(api, journey)
    response = api.get(f"/api/v1/share-links/{link['id']}/")
    assert response.status_code == 200
    assert response.json() == {key: link[key] for key in link if key != "url"}
    assert response.json()["journey"] == str(journey.pk)


def test_a_manager_token_makes_one_too(api_as, journey):
    assert create(api_as(Role.MANAGER), journey)["created_by"] == "token:manager token"


def test_another_workspaces_journey_is_404(api, outsider_api, journey, foreign_journey):
    mine = create(api, journey)
    theirs = create(outsider_api, foreign_journey)
    for client, journey_, link in ((api, foreign_journey, theirs), (outsider_api, journey, mine)):
        assert client.get(links_url(journey_)).status_code == 404
        assert client.post(links_url(journey_), {}, format="json").status_code == 404
        assert client.get(f"/api/v1/share-links/{link['id']}/").status_code == 404
        assert client.delete(f"/api/v1/share-links/{link['id']}/").status_code == 404
    assert api.delete("/api/v1/share-links/not-a-uuid/").status_code == 404
    assert ShareLink.objects.live().count() == 2


def test_without_credentials_it_is_401(client, journey):
    assert client.get(links_url(journey)).status_code == 401
    assert client.post(links_url(journey), {}).status_code == 401
