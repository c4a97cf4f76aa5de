"""Conditional GET: a journey's map and its touchpoint list answer If-None-Match with 304 from
the journey's content version, which every write path bumps, because database triggers keep it.
The triggers run at commit, so these tests commit (transactional_db)."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from feedback.ingestion import feedback_ingest
from feedback.scoring import rescore_dirty
from journeys.models import JourneyVersion
from journeys.services import journey_create
from moments.models import Moment
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

pytestmark = pytest.mark.usefixtures("transactional_db")


def map_url(journey) -> str:
    return f"/api/v1/journeys/{journey.id}/map/"


def list_url(journey) -> str:
    return f"/api/v1/touchpoints/?journey={journey.id}"


def version_of(journey) -> int:
    return JourneyVersion.objects.get(journey_id=journey.id).version


def revalidated(api, url: str, etag: str):
    return api.get(url, HTTP_IF_NONE_MATCH=etag)


@pytest.mark.parametrize("url_of", [map_url, list_url], ids=["map", "list"])
def test_an_unchanged_journey_answers_304_with_no_body(api, journey, touchpoint, url_of):
    first = api.get(url_of(journey))
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert first["Cache-Control"] == "private, no-cache"

    again = revalidated(api, url_of(journey), etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Not the ETag: the whole answer.
    assert revalidated(api, url_of(journey), 'W/"1-0"').status_code == 200


def test_the_etag_depends_on_what_is_asked(api, journey, touchpoint):
    etags = {
        api.get(url)["ETag"]
        for url in (
            map_url(journey),
            list_url(journey),
            f"{list_url(journey)}&format=csv",
            f"{list_url(journey)}&page=1",
        )
    }
    assert len(etags) == 4


def test_another_journey_changing_leaves_the_etag_alone(api, workspace, journey, touchpoint):
    etag = api.get(map_url(journey))["ETag"]
    other = journey_create(workspace=workspace, name="Onboarding")
    touchpoint_create(stage=other.stages.first(), name="Sign-up", key="sign-up")
    assert revalidated(api, map_url(journey), etag).status_code == 304


def test_another_workspaces_journey_has_no_etag(api, foreign_journey):
    response = api.get(list_url(foreign_journey))
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert "ETag" not in response
    assert api.get(map_url(foreign_journey)).status_code == 404


def feedback_scored(journey, touchpoint):
    feedback_ingest(
        workspace=journey.workspace,
        items=[
            {
                "touchpoint_key": touchpoint.key,
                "occurred_at": datetime.now(UTC).isoformat(),
                "csat": 5,
            }
        ],
    )
    rescore_dirty()


# Every door that writes what a map shows, through the API and the services the pages and the
# worker use.
WRITES = {
    "rename the journey": lambda api, j, t, m, s: api.patch(
        f"/api/v1/journeys/{j.id}/", {"name": "Renamed"}, format="json"
    ),
    "add a stage": lambda api, j, t, m, s: api.post(
        f"/api/v1/journeys/{j.id}/stages/", {"name": "Trial", "kind": "custom"}, format="json"
    ),
    "rename a stage": lambda api, j, t, m, s: api.patch(
        f"/api/v1/stages/{s[1].id}/", {"name": "Research"}, format="json"
    ),
    "move a stage": lambda api, j, t, m, s: api.patch(
        f"/api/v1/stages/{s[0].id}/", {"position": 3}, format="json"
    ),
    "delete a stage": lambda api, j, t, m, s: api.delete(f"/api/v1/stages/{s[5].id}/"),
    "add a touchpoint": lambda api, j, t, m, s: api.post(
        "/api/v1/touchpoints/", {"stage": str(s[0].id), "name": "Ad"}, format="json"
    ),
    "edit a touchpoint": lambda api, j, t, m, s: api.patch(
        f"/api/v1/touchpoints/{t.id}/", {"owner": "Ops"}, format="json"
    ),
    "move a touchpoint": lambda api, j, t, m, s: api.patch(
        f"/api/v1/touchpoints/{t.id}/", {"stage": str(s[4].id), "position": 0}, format="json"
    ),
    "delete a touchpoint": lambda api, j, t, m, s: api.delete(f"/api/v1/touchpoints/{t.id}/"),
    "tag a moment": lambda api, j, t, m, s: api.post(
        "/api/v1/moments/", {"touchpoint": str(t.id), "type": "zmot"}, format="json"
    ),
    "edit a moment": lambda api, j, t, m, s: api.patch(
        f"/api/v1/moments/{m.id}/", {"impact": 5}, format="json"
    ),
    "untag a moment": lambda api, j, t, m, s: api.delete(f"/api/v1/moments/{m.id}/"),
    "score feedback": lambda api, j, t, m, s: feedback_scored(j, t),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("url_of", [map_url, list_url], ids=["map", "list"])
def test_every_write_changes_the_etag(api, journey, stages, touchpoint, moment, write, url_of):
    before = api.get(url_of(journey))
    response = write(api, journey, touchpoint, moment, stages)
    assert response is None or response.status_code < 300, response.content
    after = revalidated(api, url_of(journey), before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    if url_of is map_url:  # the list shows less: a renamed journey changes its ETag only
        assert after.content != before.content


@pytest.mark.parametrize("table", ["journeys_journey", "journeys_stage", "touchpoints_touchpoint"])
def test_any_sql_bumps_the_version_once_per_transaction(journey, touchpoint, delivery, table):
    before = version_of(journey)
    column = "id" if table == "journeys_journey" else "journey_id"
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(3):  # three statements, every row of the journey each time
            cursor.execute(
                f"UPDATE {table} SET health_n = health_n + 1 WHERE {column} = %s", [journey.id]
            )
    assert version_of(journey) == before + 1


def test_moments_bump_through_their_touchpoint(journey, touchpoint, moment):
    before = version_of(journey)
    Moment.objects.filter(pk=moment.pk).update(rationale="Why")
    Moment.objects.filter(pk=moment.pk).delete()
    assert version_of(journey) == before + 2


def test_a_rolled_back_write_changes_nothing(journey, touchpoint):
    before = version_of(journey)
    with pytest.raises(RuntimeError), transaction.atomic():
        Touchpoint.objects.filter(pk=touchpoint.pk).update(name="Gone")
        raise RuntimeError
    assert version_of(journey) == before


def test_the_version_goes_with_its_journey(journey, touchpoint, moment):
    journey_id = journey.id
    journey.delete()
    assert not JourneyVersion.objects.filter(journey_id=journey_id).exists()


def test_a_304_reads_only_the_caller_and_the_version(api, journey, fill, django_assert_num_queries):
    fill(30)
    etag = api.get(map_url(journey))["ETag"]
    with django_assert_num_queries(4):  # the session, its user, the user's roles, the version
        assert revalidated(api, map_url(journey), etag).status_code == 304


@pytest.mark.parametrize("url_of", [map_url, list_url], ids=["map", "list"])
def test_an_answer_is_built_once_per_version(
    api, journey, stages, fill, url_of, django_assert_num_queries
):
    fill(30)
    first = api.get(url_of(journey))
    with django_assert_num_queries(4):  # the session, its user, the user's roles, the version
        again = api.get(url_of(journey))
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]

    touchpoint = Touchpoint.objects.filter(journey=journey).order_by("stage__position").first()
    api.patch(f"/api/v1/touchpoints/{touchpoint.id}/", {"name": "Renamed"}, format="json")
    changed = api.get(url_of(journey))
    assert changed["ETag"] != first["ETag"]
    assert b'"Renamed"' in changed.content
    assert b'"Renamed"' not in first.content


def test_each_host_and_language_has_its_own_answer(api, journey, fill):
    fill(3)
    url = f"{list_url(journey)}&page_size=1"
    answers = {
        (host, language): api.get(url, HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language)
        for host in ("localhost", "127.0.0.1")
        for language in ("en", "es")
    }
    assert len({answer["ETag"] for answer in answers.values()}) == 4
    for (host, _language), answer in answers.items():
        assert answer.json()["next"].startswith(f"http://{host}/api/v1/touchpoints/?")


@pytest.mark.parametrize("url_of", [map_url, list_url], ids=["map", "list"])
def test_without_the_cache_every_answer_is_built(api, journey, fill, url_of, monkeypatch):
    from django.core.cache import cache

    fill(3)
    first = api.get(url_of(journey))
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: 1 / 0)  # Redis unreachable
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: 1 / 0)
    again = api.get(url_of(journey))
    assert again.status_code == 200
    assert again.content == first.content
