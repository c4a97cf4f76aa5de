"""Archiving through the API: PATCH `archived`, read back as `archived` and `archived_at`, and the
list filtered by `?archived=`."""

import pytest

from feedback.models import DirtyTouchpoint
from journeys.models import Journey
from journeys.services import journey_create


def patch(client, journey, body):
    return client.patch(f"/api/v1/journeys/{journey.pk}/", body, format="json")


def test_a_manager_archives_and_unarchives_a_journey(api, journey, touchpoint):
    response = patch(api, journey, {"archived": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["archived"] is True and body["archived_at"] is not None
    assert body["version"] == 2
    archived_at = Journey.objects.get(pk=journey.pk).archived_at

    # Archiving again keeps the first date.
    assert patch(api, journey, {"archived": True}).json()["archived_at"] == body["archived_at"]
    assert Journey.objects.get(pk=journey.pk).archived_at == archived_at

    DirtyTouchpoint.objects.all().delete()
    body = patch(api, journey, {"archived": False}).json()
    assert (body["archived"], body["archived_at"]) == (False, None)
    assert DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()  # scored again


def test_the_list_is_filtered_by_archived(api, workspace, journey):
    old = journey_create(workspace=workspace, name="Old")
    patch(api, old, {"archived": True})

    def names(query):
        response = api.get(f"/api/v1/journeys/{query}")
        assert response.status_code == 200, response.content
        return sorted(j["name"] for j in response.json()["results"])

    assert names("") == ["Old", "Online purchase"]
    assert names("?archived=false") == ["Online purchase"]
    assert names("?archived=true") == ["Old"]
    assert api.get("/api/v1/journeys/?archived=maybe").status_code == 400


@pytest.mark.parametrize("value", ["maybe", 3, None, [True]])
def test_archived_must_be_a_boolean(api, journey, value):
    response = patch(api, journey, {"archived": value})
    assert response.status_code == 400
    assert "archived" in response.json()
    assert not Journey.objects.get(pk=journey.pk).archived


def test_a_new_journey_cannot_start_archived(api):
    response = api.post("/api/v1/journeys/", {"name": "J", "archived": True}, format="json")
    assert response.status_code == 400 and "archived" in response.json()
    assert not Journey.objects.exists()
    response = api.post("/api/v1/journeys/", {"name": "J", "archived": False}, format="json")
    assert response.status_code == 201 and response.json()["archived"] is False


def test_a_stale_version_is_a_409_and_archives_nothing(api, journey):
    patch(api, journey, {"name": "Renamed"})
    response = patch(api, journey, {"archived": True, "version": 1})
    assert response.status_code == 409
    assert not Journey.objects.get(pk=journey.pk).archived


def test_only_managers_archive_and_no_one_outside(api_as, outsider_api, journey):
    for role in ("analyst", "viewer"):
        assert patch(api_as(role), journey, {"archived": True}).status_code == 403
    assert patch(outsider_api, journey, {"archived": True}).status_code == 404
    assert not Journey.objects.get(pk=journey.pk).archived
