"""The feedback API (docs/api.md): POST one object or an array → 202 with what was
accepted, what was a duplicate and what was rejected (by index, with field errors); GET a cursor-
paginated list; and the other feedback-backed endpoints' permissions and isolation."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from feedback.ingestion import feedback_ingest
from feedback.models import DirtyTouchpoint, Feedback, ImportJob
from journeys.services import journey_create
from tests.conftest import make_member
from touchpoints.services import touchpoint_create
from workspaces.models import Membership, Role, Workspace

URL = "/api/v1/feedback/"
MISSING = object()  # item(..., field=MISSING) leaves the field out


def item(touchpoint, /, **fields) -> dict:
    """A valid item (an NPS answer an hour ago), with `fields` changed. A timedelta for
    occurred_at means "now + delta", computed when the test runs."""
    data = {"touchpoint": str(touchpoint.id), "occurred_at": timedelta(hours=-1), "nps": 9}
    data.update(fields)
    if isinstance(data["occurred_at"], timedelta):
        data["occurred_at"] = (datetime.now(UTC) + data["occurred_at"]).isoformat()
    return {name: value for name, value in data.items() if value is not MISSING}


def items(touchpoint, n: int, /, prefix: str | None = "ext", **fields) -> list[dict]:
    """n valid items, with external ids prefix-0 … prefix-(n-1) unless prefix is None."""
    extra = (lambda i: {"external_id": f"{prefix}-{i}"}) if prefix else (lambda i: {})
    return [item(touchpoint, **extra(i), **fields) for i in range(n)]


def post(client, payload, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(URL + query, payload, format="json")


def post_raw(client, body: bytes | str):
    return client.post(URL, data=body, content_type="application/json")


def accepted(response) -> dict:
    assert response.status_code == 202, response.content
    return response.json()


@pytest.fixture
def analyst(api_as):
    return api_as(Role.ANALYST)


# Writing: the happy path


def test_it_accepts_one_object(analyst, touchpoint, journey):
    payload = {
        "external_id": "survey-1",
        "touchpoint": str(touchpoint.id),
        "occurred_at": "2025-03-01T10:30:00+02:00",
        "customer_ref": "cust-42",
        "channel": "email",
        "nps": 3,
        "csat": 4,
        "ces": 6,
        "sentiment": -0.5,
        "outcome": "unresolved",
        "comment": "The card was declined twice.",
        "source": "survey",
        "metadata": {"campaign": "spring", "score": [1, 2]},
    }
    assert accepted(post(analyst, payload)) == {"accepted": 1, "duplicates": 0, "rejected": []}
    row = Feedback.objects.get()
    assert row.workspace_id == touchpoint.workspace_id
    assert row.journey_id == journey.id
    assert row.touchpoint_id == touchpoint.id
    assert row.occurred_at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert row.received_at is not None
    stored = {
        name: getattr(row, name) for name in payload if name not in ("touchpoint", "occurred_at")
    }
    assert stored == {k: v for k, v in payload.items() if k in stored}
    assert row.is_negative is True
    assert row.sentiment_pending is False


def test_it_stores_text_exactly_as_sent(analyst, touchpoint):
    """Tabs, newlines, backslashes and a literal \\N mean something in a text COPY; the staging
    COPY is binary, so they arrive as sent, in plain columns and in metadata alike."""
    text = 'tab\there\r\nnew line \\N back\\slash "quoted" €'
    accepted(
        post(analyst, item(touchpoint, comment=text, customer_ref=text, metadata={text: [text]}))
    )
    row = Feedback.objects.get()
    assert (row.comment, row.customer_ref, row.metadata) == (text, text, {text: [text]})


def test_it_stores_defaults_for_absent_fields(analyst, touchpoint):
    accepted(post(analyst, item(touchpoint, nps=MISSING, comment="Fine")))
    row = Feedback.objects.get()
    assert (row.external_id, row.customer_ref, row.channel, row.source) == (None, "", "", "")
    assert (row.nps, row.csat, row.ces, row.sentiment, row.outcome) == (None, None, None, None, "")
    assert row.metadata == {}
    assert row.is_negative is False
    assert row.sentiment_pending is True  # a comment without sentiment waits for the worker


def test_it_accepts_an_array(analyst, touchpoint):
    body = accepted(post(analyst, items(touchpoint, 3)))
    assert body == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert sorted(Feedback.objects.values_list("external_id", flat=True)) == [
        "ext-0",
        "ext-1",
        "ext-2",
    ]


def test_it_finds_the_touchpoint_by_key(analyst, touchpoint):
    accepted(post(analyst, item(touchpoint, touchpoint=MISSING, touchpoint_key="checkout")))
    assert Feedback.objects.get().touchpoint_id == touchpoint.id


def test_it_accepts_an_uppercase_touchpoint_id(analyst, touchpoint):
    accepted(post(analyst, item(touchpoint, touchpoint=str(touchpoint.id).upper())))
    assert Feedback.objects.get().touchpoint_id == touchpoint.id


def test_it_counts_accepted_duplicates_and_rejected(analyst, touchpoint):
    accepted(post(analyst, item(touchpoint, external_id="old")))
    batch = [
        item(touchpoint, external_id="new"),
        item(touchpoint, external_id="old"),
        item(touchpoint, nps=11),
        item(touchpoint),
    ]
    body = accepted(post(analyst, batch))
    assert body["accepted"] == 2
    assert body["duplicates"] == 1
    assert body["rejected"] == [
        {"index": 2, "errors": {"nps": ["A whole number 0–10 is required."]}}
    ]
    assert Feedback.objects.count() == 3


# Idempotency


def test_it_stores_a_retried_batch_once(analyst, touchpoint):
    batch = items(touchpoint, 1000)
    answers = [accepted(post(analyst, batch)) for _ in range(3)]
    assert answers[0] == {"accepted": 1000, "duplicates": 0, "rejected": []}
    assert answers[1] == answers[2] == {"accepted": 0, "duplicates": 1000, "rejected": []}
    assert Feedback.objects.count() == 1000


def test_it_stores_an_external_id_repeated_in_a_batch_once(analyst, touchpoint):
    batch = [item(touchpoint, external_id="x", nps=1), item(touchpoint, external_id="x", nps=2)]
    assert accepted(post(analyst, batch)) == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert Feedback.objects.filter(external_id="x").count() == 1


def test_it_scopes_external_ids_to_the_workspace(analyst, touchpoint, foreign_touchpoint):
    feedback_ingest(
        workspace=foreign_touchpoint.workspace, items=[item(foreign_touchpoint, external_id="x")]
    )
    assert accepted(post(analyst, item(touchpoint, external_id="x")))["accepted"] == 1
    assert Feedback.objects.filter(external_id="x").count() == 2


def test_it_stores_items_without_external_id_each_time(analyst, touchpoint):
    batch = items(touchpoint, 2, prefix=None)
    for _ in range(2):
        assert accepted(post(analyst, batch)) == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert Feedback.objects.count() == 4


# Field rules: one rule per case, and the exact field that errors

LONG_ITEM = "\U0001d11e" * 10_000  # 10,000 characters, 40 KB of UTF-8


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"external_id": "x" * 201}, "external_id"),
        ({"external_id": 17}, "external_id"),
        ({"occurred_at": MISSING}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": 1714550400}, "occurred_at"),
        ({"occurred_at": "2025-03-01T10:30:00"}, "occurred_at"),
        ({"occurred_at": "2025-03-01"}, "occurred_at"),
        ({"occurred_at": timedelta(minutes=6)}, "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"customer_ref": "x" * 201}, "customer_ref"),
        ({"channel": "fax"}, "channel"),
        ({"nps": -1}, "nps"),
        ({"nps": 11}, "nps"),
        ({"nps": "x"}, "nps"),
        ({"nps": True}, "nps"),
        ({"nps": 9.5}, "nps"),
        ({"csat": 0}, "csat"),
        ({"csat": 6}, "csat"),
        ({"ces": 0}, "ces"),
        ({"ces": 8}, "ces"),
        ({"sentiment": -1.1}, "sentiment"),
        ({"sentiment": 1.1}, "sentiment"),
        ({"sentiment": "abc"}, "sentiment"),
        ({"sentiment": False}, "sentiment"),
        ({"outcome": "escalated"}, "outcome"),
        ({"comment": "x" * 10_001}, "comment"),
        ({"source": "x" * 51}, "source"),
        ({"metadata": "a string"}, "metadata"),
        ({"metadata": [1, 2]}, "metadata"),
        ({"metadata": {"blob": "x" * 8200}}, "metadata"),
        ({"comment": LONG_ITEM}, "non_field_errors"),
        ({"colour": "red"}, "colour"),
        ({"nps": MISSING}, "non_field_errors"),
        ({"nps": MISSING, "comment": ""}, "non_field_errors"),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else None,
)
def test_it_rejects_a_field(analyst, touchpoint, fields, field):
    body = accepted(post(analyst, [item(touchpoint), item(touchpoint, **fields)]))
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1]
    errors = body["rejected"][0]["errors"]
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(message, str) for message in errors[field])
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    "reference, field",
    [
        ({"touchpoint": "00000000-0000-4000-8000-000000000000"}, "touchpoint"),
        ({"touchpoint": "not-a-uuid"}, "touchpoint"),
        ({"touchpoint": 42}, "touchpoint"),
        ({"touchpoint_key": "nowhere"}, "touchpoint_key"),
        ({"touchpoint_key": ["checkout"]}, "touchpoint_key"),
        ({}, "touchpoint"),
    ],
)
def test_it_rejects_an_unknown_touchpoint(analyst, touchpoint, reference, field):
    payload = {"occurred_at": "2025-03-01T10:30:00Z", "nps": 9, **reference}
    body = accepted(post(analyst, payload))
    assert body["accepted"] == 0
    assert list(body["rejected"][0]["errors"]) == [field]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("by", ["touchpoint", "touchpoint_key"])
def test_it_treats_a_foreign_touchpoint_as_unknown(analyst, touchpoint, foreign_touchpoint, by):
    missing = {"touchpoint": str(uuid.uuid4()), "touchpoint_key": "nowhere"}[by]
    foreign = {"touchpoint": str(foreign_touchpoint.id), "touchpoint_key": "theirs"}[by]
    base = item(touchpoint, touchpoint=MISSING)
    body = accepted(post(analyst, [{**base, by: foreign}, {**base, by: missing}]))
    assert body["accepted"] == 0
    foreign_errors, missing_errors = (r["errors"] for r in body["rejected"])
    assert foreign_errors == missing_errors
    assert list(foreign_errors) == [by]
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("value", [42, "a string", None, ["a", "list"], True])
def test_it_rejects_an_item_that_is_not_an_object(analyst, touchpoint, value):
    body = accepted(post(analyst, [item(touchpoint), value]))
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [1]
    assert list(body["rejected"][0]["errors"]) == ["non_field_errors"]


@pytest.mark.parametrize(
    "fields",
    [
        {"nps": 0},
        {"nps": 10},
        {"nps": MISSING, "csat": 1},
        {"nps": MISSING, "csat": 5},
        {"nps": MISSING, "ces": 1},
        {"nps": MISSING, "ces": 7},
        {"nps": MISSING, "sentiment": -1},
        {"nps": MISSING, "sentiment": 1},
        {"nps": MISSING, "sentiment": 0},
        {"nps": MISSING, "outcome": "resolved"},
        {"nps": MISSING, "comment": "x" * 10_000},
        {"external_id": "x" * 200, "customer_ref": "x" * 200, "source": "x" * 50},
        {"occurred_at": timedelta(minutes=4)},
        {"occurred_at": "2025-03-01T10:30:00Z"},
        {"metadata": {"blob": "x" * 8000}},
        {"channel": "contact_center"},
    ],
    ids=lambda value: repr(value)[:40],
)
def test_it_accepts_boundary_values(analyst, touchpoint, fields):
    assert accepted(post(analyst, item(touchpoint, **fields)))["accepted"] == 1
    assert Feedback.objects.count() == 1


def test_it_stores_the_valid_items_of_a_mixed_batch(analyst, touchpoint):
    batch = [
        item(touchpoint, customer_ref="a"),
        item(touchpoint, customer_ref="b", csat=9),
        item(touchpoint, customer_ref="c"),
        "not an object",
        item(touchpoint, customer_ref="e", touchpoint_key="checkout", touchpoint=MISSING),
        item(touchpoint, customer_ref="f", occurred_at=MISSING, channel="fax"),
    ]
    body = accepted(post(analyst, batch))
    assert body["accepted"] == 3
    assert body["duplicates"] == 0
    assert [r["index"] for r in body["rejected"]] == [1, 3, 5]
    assert list(body["rejected"][0]["errors"]) == ["csat"]
    assert set(body["rejected"][2]["errors"]) == {"occurred_at", "channel"}
    assert sorted(Feedback.objects.values_list("customer_ref", flat=True)) == ["a", "c", "e"]


# Body errors: nothing is stored


def big_body() -> bytes:
    """A valid JSON array of valid items, slightly over 10 MB."""
    comment = "x" * 2100
    one = json.dumps(
        {"touchpoint_key": "checkout", "occurred_at": "2025-03-01T10:30:00Z", "comment": comment}
    )
    body = ("[" + ",".join([one] * 5000) + "]").encode()
    assert 10 * 1024 * 1024 < len(body) < 11 * 1024 * 1024
    return body


@pytest.mark.parametrize(
    "body, status",
    [
        ("{not json", 400),
        ("", 400),
        (b"\xff\xfe", 400),
        ('"a string"', 400),
        ("42", 400),
        ("null", 400),
        ("[]", 400),
        (json.dumps([{"nps": 9}] * 10_001), 413),
        (big_body, 413),
    ],
    ids=[
        "not-json",
        "empty",
        "not-utf8",
        "string",
        "number",
        "null",
        "empty-array",
        "10001",
        "10MB",
    ],
)
def test_it_refuses_a_bad_body(analyst, touchpoint, body, status):
    response = post_raw(analyst, body() if callable(body) else body)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert not Feedback.objects.exists()


def test_it_accepts_10000_items(analyst, touchpoint):
    body = accepted(post(analyst, items(touchpoint, 10_000)))
    assert body == {"accepted": 10_000, "duplicates": 0, "rejected": []}
    assert Feedback.objects.count() == 10_000


# Who may write


@pytest.mark.parametrize(
    "role, status", [(Role.VIEWER, 403), (Role.ANALYST, 202), (Role.MANAGER, 202)]
)
def test_it_needs_the_analyst_role(api_as, touchpoint, role, status):
    response = post(api_as(role), item(touchpoint))
    assert response.status_code == status, response.content
    assert Feedback.objects.count() == (status == 202)


def test_it_lets_a_session_manager_write(api, touchpoint):
    accepted(post(api, item(touchpoint)))
    assert Feedback.objects.count() == 1


def test_it_refuses_a_session_viewer(workspace, touchpoint):
    client = APIClient()
    client.force_login(make_member("vera", workspace, Role.VIEWER))
    assert post(client, item(touchpoint)).status_code == 403
    assert not Feedback.objects.exists()


def test_it_needs_a_caller(touchpoint):
    response = post(APIClient(), item(touchpoint))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Feedback.objects.exists()


@pytest.fixture
def two_workspace_analyst(workspace, other_workspace):
    user = make_member("bob", workspace, Role.ANALYST)
    Membership.objects.create(user=user, workspace=other_workspace, role=Role.ANALYST)
    client = APIClient()
    client.force_login(user)
    return client


def test_it_asks_which_workspace(two_workspace_analyst, touchpoint):
    response = post(two_workspace_analyst, item(touchpoint))
    assert response.status_code == 400
    assert "workspace" in response.json()
    assert not Feedback.objects.exists()


def test_it_writes_to_the_workspace_named(two_workspace_analyst, touchpoint):
    accepted(post(two_workspace_analyst, item(touchpoint), workspace="acme"))
    assert Feedback.objects.get().workspace_id == touchpoint.workspace_id


@pytest.mark.parametrize("slug", ["initech", "nowhere"])
def test_it_refuses_a_workspace_that_is_not_yours(two_workspace_analyst, touchpoint, slug):
    Workspace.objects.create(slug="initech", name="Initech")
    response = post(two_workspace_analyst, item(touchpoint), workspace=slug)
    assert response.status_code == 400
    assert "workspace" in response.json()
    assert not Feedback.objects.exists()


# Reading


FEEDBACK_FIELDS = {
    "id",
    "external_id",
    "journey",
    "touchpoint",
    "occurred_at",
    "received_at",
    "customer_ref",
    "channel",
    "nps",
    "csat",
    "ces",
    "sentiment",
    "outcome",
    "comment",
    "source",
    "metadata",
    "is_negative",
}


def store(touchpoint, batch: list[dict]) -> None:
    result = feedback_ingest(workspace=touchpoint.workspace, items=batch)
    assert result.rejected == []


def test_it_lists_newest_first_with_a_cursor(api, touchpoint):
    store(touchpoint, items(touchpoint, 5))
    body = api.get(URL, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] is None
    assert body["previous"] is None
    assert set(body["results"][0]) >= FEEDBACK_FIELDS
    seen = [row["id"] for row in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        assert body["previous"]
        seen += [row["id"] for row in body["results"]]
    ids = list(Feedback.objects.order_by("-id").values_list("id", flat=True))
    assert seen == ids


@pytest.fixture
def stored(touchpoint, workspace):
    """a: 3 days ago by c1, promoter; b: 1 day ago by c2, detractor; c: 2 hours ago by c1 on
    another journey's touchpoint, with a low CSAT."""
    support = journey_create(workspace=workspace, name="Support")
    help_desk = touchpoint_create(stage=support.stages.first(), name="Help desk", key="help")
    now = datetime.now(UTC)
    store(
        touchpoint,
        [
            item(touchpoint, external_id="a", customer_ref="c1", occurred_at=timedelta(days=-3)),
            item(
                touchpoint,
                external_id="b",
                customer_ref="c2",
                occurred_at=timedelta(days=-1),
                nps=2,
            ),
            item(
                help_desk,
                external_id="c",
                customer_ref="c1",
                occurred_at=timedelta(hours=-2),
                csat=1,
            ),
        ],
    )
    return {
        "journey": touchpoint.journey_id,
        "support": support.id,
        "touchpoint": touchpoint.id,
        "help_desk": help_desk.id,
        "two_days_ago": (now - timedelta(days=2)).isoformat(),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, "abc"),
        ({"journey": "{journey}"}, "ab"),
        ({"journey": "{support}"}, "c"),
        ({"touchpoint": "{help_desk}"}, "c"),
        ({"since": "{two_days_ago}"}, "bc"),
        ({"until": "{two_days_ago}"}, "a"),
        ({"customer_ref": "c1"}, "ac"),
        ({"negative": "true"}, "bc"),
        ({"negative": "false"}, "a"),
        ({"customer_ref": "c1", "negative": "true"}, "c"),
        ({"journey": str(uuid.UUID(int=1))}, ""),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else None,
)
def test_it_filters(api, stored, params, expected):
    params = {name: value.format(**stored) for name, value in params.items()}
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    assert "".join(sorted(row["external_id"] for row in response.json()["results"])) == expected


@pytest.mark.parametrize("params", [{}, {"journey": "{journey}"}, {"touchpoint": "{touchpoint}"}])
def test_it_lists_nothing_to_an_outsider(outsider_api, stored, params):
    params = {name: value.format(**stored) for name, value in params.items()}
    response = outsider_api.get(URL, params)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"since": "not-a-date"},
        {"until": "2025-13-45T00:00:00Z"},
        {"journey": "not-a-uuid"},
        {"touchpoint": "42"},
    ],
)
def test_it_refuses_bad_filters(api, params):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_it_needs_a_caller_to_read(touchpoint):
    assert APIClient().get(URL).status_code == 401


# Other endpoints backed by feedback


@pytest.mark.parametrize(
    "role, status", [(Role.ANALYST, 202), (Role.MANAGER, 202), (Role.VIEWER, 403)]
)
def test_it_rescores_a_journey(api_as, journey, touchpoint, role, status):
    response = api_as(role).post(f"/api/v1/journeys/{journey.id}/rescore/")
    assert response.status_code == status, response.content
    # Marked dirty before the publish: a broker outage only delays the rescore.
    dirty = DirtyTouchpoint.objects.filter(touchpoint=touchpoint).exists()
    assert dirty is (status == 202)


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/api/v1/journeys/{journey.id}/rescore/"),
        ("get", "/api/v1/journeys/{journey.id}/at-risk/"),
        ("get", "/api/v1/touchpoints/{touchpoint.id}/health/"),
    ],
)
def test_it_hides_feedback_views_from_an_outsider(outsider_api, journey, touchpoint, method, url):
    response = getattr(outsider_api, method)(url.format(journey=journey, touchpoint=touchpoint))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.fixture
def job(workspace):
    return ImportJob.objects.create(workspace=workspace, filename="survey.csv", format="csv")


def test_it_shows_imports_to_their_workspace(api, job):
    assert [row["id"] for row in api.get("/api/v1/imports/").json()["results"]] == [str(job.id)]
    assert api.get(f"/api/v1/imports/{job.id}/").status_code == 200
    assert api.get(f"/api/v1/imports/{job.id}/rejected/").status_code == 200


@pytest.mark.parametrize("path", ["", "rejected/"])
def test_it_hides_imports_from_an_outsider(outsider_api, job, path):
    assert outsider_api.get("/api/v1/imports/").json()["results"] == []
    response = outsider_api.get(f"/api/v1/imports/{job.id}/{path}")
    assert response.status_code == 404


def upload(name: str = "data.csv"):
    return SimpleUploadedFile(name, b"touchpoint_key,occurred_at,nps\n")


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "file"),
        ({"file": "data.csv", "mapping": '{"colour": "Q1"}'}, "mapping"),
        ({"file": "data.csv", "mapping": "[1, 2]"}, "mapping"),
        ({"file": "data.csv", "defaults": '{"colour": "red"}'}, "defaults"),
        ({"file": "data.csv", "timezone": "Mars/Base"}, "timezone"),
        ({"file": "data.csv", "format": "xlsx"}, "format"),
    ],
    ids=["no-file", "unknown-field", "not-object", "unknown-default", "timezone", "xlsx"],
)
def test_it_refuses_a_bad_import(analyst, data, field):
    if "file" in data:
        data = {**data, "file": upload(data["file"])}
    response = analyst.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not ImportJob.objects.exists()


def test_it_needs_the_analyst_role_to_import(api_as):
    response = api_as(Role.VIEWER).post("/api/v1/imports/", {"file": upload()}, format="multipart")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_it_queues_an_import(analyst):
    response = analyst.post(
        "/api/v1/imports/", {"file": upload("data.txt"), "format": "csv"}, format="multipart"
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert ImportJob.objects.get().format == "csv"


# Query counts: the same whatever the batch or page size


def test_it_ingests_with_a_fixed_number_of_queries(api, touchpoint, django_assert_num_queries):
    when = "2025-03-01T10:30:00Z"
    post(api, item(touchpoint, occurred_at=when))  # warm up the session and the staging table
    # The session and the caller's roles, the touchpoints the batch names, then the staging
    # table, its COPY and one INSERT … ON CONFLICT, in a transaction, with the audit context
    # set and reset around it (the INSERT locks touchpoints): 13 whatever the size.
    for size, prefix in [(10, "few"), (1000, "many")]:
        with django_assert_num_queries(13):
            response = post(api, items(touchpoint, size, prefix=prefix, occurred_at=when))
        assert response.status_code == 202
    assert Feedback.objects.count() == 1011


def test_it_lists_with_a_fixed_number_of_queries(api, touchpoint, django_assert_num_queries):
    for prefix, size in [("a", 5), ("b", 45)]:
        store(touchpoint, items(touchpoint, size, prefix=prefix))
        with django_assert_num_queries(4):
            response = api.get(URL)
        assert response.status_code == 200
    assert len(response.json()["results"]) == 50


@pytest.mark.parametrize(
    ("field", "value"),
    [("touchpoint_key", "check\x00out"), ("metadata", {"k": "v\x00"}), ("comment", "a\x00b")],
)
def test_it_rejects_null_characters_without_a_500(api, touchpoint, field, value):
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 9}
    item[field] = value
    response = api.post("/api/v1/feedback/", [item], format="json")
    assert response.status_code == 202
    assert list(response.json()["rejected"][0]["errors"]) == [field]


def test_deleting_a_journey_deletes_its_feedback(api, journey, touchpoint):
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 9}
    assert api.post("/api/v1/feedback/", [item, item], format="json").json()["accepted"] == 2
    assert api.delete(f"/api/v1/journeys/{journey.pk}/").status_code == 204
    assert not Feedback.objects.exists()


def test_an_import_over_the_size_limit_is_refused(api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.csv", b"touchpoint_key,occurred_at,nps\n" + b"x" * 200)
    response = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "at most" in response.json()["file"][0]
    assert not ImportJob.objects.exists()


def test_hostile_values_reject_their_item_alone(api, touchpoint):
    nested = {}
    for _ in range(300):
        nested = {"a": nested}
    hostile = [
        item(touchpoint, nps="--5"),
        item(touchpoint, nps="²"),
        item(touchpoint, customer_ref=["a", "list"]),
        item(touchpoint, channel=["web"]),
        item(touchpoint, metadata=nested),
        item(touchpoint, nps=10**30),
    ]
    good = item(touchpoint, external_id="the-good-one")
    response = post(api, [*hostile, good])
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == list(range(len(hostile)))
    fields = [list(r["errors"]) for r in body["rejected"]]
    assert fields == [["nps"], ["nps"], ["customer_ref"], ["channel"], ["metadata"], ["nps"]]
    assert Feedback.objects.get().external_id == "the-good-one"


def test_a_number_json_allows_but_no_double_holds_rejects_its_item_alone(api, touchpoint):
    good = json.dumps(item(touchpoint))
    bad = json.dumps(item(touchpoint)).replace('"nps": 9', '"sentiment": 1e400')
    response = post_raw(api, f"[{good}, {bad}]")
    assert response.status_code == 202
    assert response.json()["accepted"] == 1
    assert list(response.json()["rejected"][0]["errors"]) == ["sentiment"]


def test_a_null_character_in_the_workspace_is_a_400(api, touchpoint):
    response = post(api, [item(touchpoint)], workspace="ac%00me")
    assert response.status_code == 400
    assert "workspace" in response.json()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("channel", ["web"]), ("outcome", {"a": 1})])
def test_it_rejects_a_list_or_object_where_a_choice_goes(api, touchpoint, field, value):
    item = {"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 9}
    item[field] = value
    response = api.post("/api/v1/feedback/", [item], format="json")
    assert response.status_code == 202
    assert list(response.json()["rejected"][0]["errors"]) == [field]
