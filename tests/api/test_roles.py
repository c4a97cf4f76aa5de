"""Who may write what: viewers read, analysts tag moments, managers edit everything."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.api.helpers import snapshot
from workspaces.models import Membership, Role

READS = [
    "/api/v1/journeys/",
    "/api/v1/journeys/{journey.id}/",
    "/api/v1/journeys/{journey.id}/map/",
    "/api/v1/journeys/{journey.id}/stages/",
    "/api/v1/stages/{stage.id}/",
    "/api/v1/touchpoints/",
    "/api/v1/touchpoints/{touchpoint.id}/",
    "/api/v1/moments/",
    "/api/v1/moments/{moment.id}/",
]

# (method, url, payload, role needed)
WRITES = [
    ("post", "/api/v1/journeys/", {"name": "J"}, Role.MANAGER),
    ("patch", "/api/v1/journeys/{journey.id}/", {"name": "J2"}, Role.MANAGER),
    ("delete", "/api/v1/journeys/{journey.id}/", None, Role.MANAGER),
    ("post", "/api/v1/journeys/{journey.id}/stages/", {"name": "S"}, Role.MANAGER),
    ("patch", "/api/v1/stages/{stage.id}/", {"name": "S2", "position": 3}, Role.MANAGER),
    ("delete", "/api/v1/stages/{stage.id}/", None, Role.MANAGER),
    ("post", "/api/v1/touchpoints/", {"stage": "{stage.id}", "name": "T"}, Role.MANAGER),
    ("patch", "/api/v1/touchpoints/{touchpoint.id}/", {"name": "T2"}, Role.MANAGER),
    ("delete", "/api/v1/touchpoints/{touchpoint.id}/", None, Role.MANAGER),
    ("post", "/api/v1/moments/", {"touchpoint": "{touchpoint.id}", "type": "tmot"}, Role.ANALYST),
    ("patch", "/api/v1/moments/{moment.id}/", {"impact": 5}, Role.ANALYST),
    ("delete", "/api/v1/moments/{moment.id}/", None, Role.ANALYST),
]
SUCCESS = {"post": 201, "patch": 200, "delete": 204}
WRITE_IDS = [f"{method} {url}" for method, url, _, _ in WRITES]


def send(client, objs, method, url, payload):
    url = url.format(**vars(objs))
    if payload is None:
        return getattr(client, method)(url)
    payload = {k: v.format(**vars(objs)) if "{" in str(v) else v for k, v in payload.items()}
    return getattr(client, method)(url, payload, format="json")


@pytest.fixture
def viewer_session(workspace):
    user = get_user_model().objects.create_user("victor", password="pw-victor")
    Membership.objects.create(user=user, workspace=workspace, role=Role.VIEWER)
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.MANAGER])
@pytest.mark.parametrize("url", READS)
def test_it_lets_every_role_read(api_as, objs, role, url):
    response = api_as(role).get(url.format(**vars(objs)))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.MANAGER])
@pytest.mark.parametrize("method, url, payload, needed", WRITES, ids=WRITE_IDS)
def test_it_checks_the_role_of_a_token(api_as, objs, role, method, url, payload, needed):
    client = api_as(role)
    before = snapshot()
    response = send(client, objs, method, url, payload)
    if role == needed or role == Role.MANAGER:
        assert response.status_code == SUCCESS[method], response.content
    else:
        assert response.status_code == 403, response.content
        assert "detail" in response.json()
        assert snapshot() == before


@pytest.mark.parametrize("method, url, payload, needed", WRITES, ids=WRITE_IDS)
def test_it_refuses_writes_to_a_signed_in_viewer(
    viewer_session, objs, method, url, payload, needed
):
    before = snapshot()
    response = send(viewer_session, objs, method, url, payload)
    assert response.status_code == 403, response.content
    assert snapshot() == before


@pytest.mark.parametrize("url", READS)
def test_it_lets_a_signed_in_viewer_read(viewer_session, objs, url):
    assert viewer_session.get(url.format(**vars(objs))).status_code == 200


@pytest.mark.parametrize("method, url, payload, needed", WRITES, ids=WRITE_IDS)
def test_it_lets_the_signed_in_manager_write(api, objs, method, url, payload, needed):
    response = send(api, objs, method, url, payload)
    assert response.status_code == SUCCESS[method], response.content


def test_it_uses_the_role_in_the_objects_workspace(api, owner, other_workspace, foreign):
    """A manager in one workspace who only views another cannot write there."""
    Membership.objects.create(user=owner, workspace=other_workspace, role=Role.VIEWER)
    before = snapshot()
    for method, url, payload, _ in WRITES[1:]:
        response = send(api, foreign, method, url, payload)
        assert response.status_code == 403, (method, url, response.content)
    response = api.post("/api/v1/journeys/", {"name": "J", "workspace": "globex"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before
