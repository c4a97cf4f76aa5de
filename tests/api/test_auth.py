import json
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from workspaces.models import ApiToken, Role


@pytest.fixture
def token(workspace):
    return ApiToken.issue(workspace=workspace, name="CRM", role=Role.VIEWER)


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize(
    "url",
    ["/api/v1/journeys/", "/api/v1/touchpoints/", "/api/v1/moments/", "/api/v1/journeys/{id}/map/"],
)
def test_it_answers_401_to_anonymous_callers(journey, url):
    response = APIClient().get(url.format(id=journey.id))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_it_answers_401_to_an_anonymous_write(db):
    response = APIClient().post("/api/v1/journeys/", {"name": "J"}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "header",
    ["Bearer tm_unknown", "Bearer", "Bearer two parts", "bearer tm_unknown"],
)
def test_it_answers_401_to_a_bad_token(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/journeys/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_answers_401_to_a_revoked_token(token, journey):
    instance, raw = token
    assert bearer(raw).get("/api/v1/journeys/").status_code == 200
    instance.revoke()
    response = bearer(raw).get("/api/v1/journeys/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_records_when_a_token_was_used(token):
    instance, raw = token
    assert instance.last_used_at is None
    bearer(raw).get("/api/v1/journeys/")
    instance.refresh_from_db()
    assert instance.last_used_at is not None


def test_it_stores_only_a_hash_of_the_token(token):
    instance, raw = token
    assert raw.startswith("tm_")
    assert raw not in (instance.token_hash, instance.hint)
    assert not ApiToken.objects.filter(token_hash=raw).exists()


def test_it_authenticates_a_bearer_token_over_http(live_server, token, journey):
    _, raw = token

    def get(headers: dict) -> tuple[int, dict]:
        request = urllib.request.Request(f"{live_server.url}/api/v1/journeys/", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    status, body = get({"Authorization": f"Bearer {raw}"})
    assert status == 200
    assert [item["id"] for item in body["results"]] == [str(journey.id)]
    status, body = get({"Authorization": "Bearer tm_wrong"})
    assert status == 401
    assert "detail" in body
    status, body = get({})
    assert status == 401


def test_it_answers_404_json_to_a_malformed_id(api):
    for url in ["/api/v1/journeys/not-a-uuid/", "/api/v1/touchpoints/123/", "/api/v1/moments/x/"]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_it_answers_404_json_to_an_unknown_api_path(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_refuses_put(api, journey):
    response = api.put(f"/api/v1/journeys/{journey.id}/", {"name": "J"}, format="json")
    assert response.status_code == 405


def test_it_renders_the_openapi_schema(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Truthmap API"
    for path in ["journeys/", "journeys/{id}/map/", "touchpoints/{id}/", "moments/"]:
        assert f"/api/v1/{path}" in schema["paths"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]
    new_stage = schema["paths"]["/api/v1/journeys/{id}/stages/"]["post"]["responses"]
    assert list(new_stage) == ["201", "400", "401", "403", "404", "429"]


def test_it_validates_the_openapi_schema(db):
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


def test_it_serves_the_api_docs(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.fixture
def no_throttle_windows():
    """Token ids start again with each test database: an earlier run's windows of this minute
    would count against these tokens."""
    from django.core.cache import cache

    redis = cache._cache.get_client(write=True)
    for key in redis.keys("*throttle_caller_*"):
        redis.delete(key)
    return redis


def test_it_throttles_each_caller_on_its_own_budget(
    monkeypatch, workspace, token, no_throttle_windows
):
    from workspaces.auth import CallerRateThrottle

    monkeypatch.setattr(CallerRateThrottle, "THROTTLE_RATES", {"caller": "3/min"})
    client = bearer(token[1])
    other = bearer(ApiToken.issue(workspace=workspace, name="BI", role=Role.VIEWER)[1])

    assert [client.get("/api/v1/journeys/").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/journeys/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert "detail" in refused.json()
    assert other.get("/api/v1/journeys/").status_code == 200


def test_a_throttle_window_expires_with_its_window(monkeypatch, token, no_throttle_windows):
    """The count of a window is created with its expiry, in the same round trip as its INCR
    (not through the cache's add() and incr(), three round trips), so the windows of a token
    that stops calling do not stay in Redis."""
    from django.core.cache.backends.redis import RedisCache

    from workspaces.auth import CallerRateThrottle

    monkeypatch.setattr(CallerRateThrottle, "THROTTLE_RATES", {"caller": "5/min"})
    monkeypatch.setattr(RedisCache, "incr", lambda *args, **kwargs: 1 / 0)
    redis = no_throttle_windows
    pattern = f"*throttle_caller_token-{token[0].pk}:*"

    client = bearer(token[1])
    assert [client.get("/api/v1/journeys/").status_code for _ in range(2)] == [200] * 2
    (key,) = redis.keys(pattern)
    assert int(redis.get(key)) == 2
    assert 0 < redis.ttl(key) <= 61


def apitoken_queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum("workspaces_apitoken" in query["sql"] for query in queries.captured_queries)


def test_a_known_token_is_answered_from_the_cache(token, journey):
    instance, raw = token
    client = bearer(raw)
    assert apitoken_queries(client, "/api/v1/journeys/") == 2  # looked up, and its use recorded
    assert apitoken_queries(client, "/api/v1/journeys/") == 0
    instance.refresh_from_db()
    assert instance.last_used_at is not None


def test_a_token_revoked_during_its_lookup_is_not_cached_as_active(token, journey, monkeypatch):
    """The revocation commits after a request read the token from the database and before it
    caches it: the request's own answer stands, the next is refused."""
    from django.core.cache.backends.redis import RedisCache

    instance, raw = token
    add = RedisCache.add

    def revoked_meanwhile(self, *args, **kwargs):
        instance.revoke()
        return add(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(RedisCache, "add", revoked_meanwhile)
        assert bearer(raw).get("/api/v1/journeys/").status_code == 200
    assert bearer(raw).get("/api/v1/journeys/").status_code == 401


def test_a_changed_role_is_used_at_once(token, journey):
    instance, raw = token
    client = bearer(raw)
    assert client.get("/api/v1/journeys/").status_code == 200  # cached as a viewer
    assert client.post("/api/v1/feedback/", [], format="json").status_code == 403
    instance.role = Role.ANALYST
    instance.save()
    assert client.post("/api/v1/feedback/", [], format="json").status_code == 400
