"""CSV exports (docs/api.md, "CSV"): touchpoints with health, every page of feedback streamed,
customers at risk; `?format=csv` or `Accept: text/csv`; a text cell that a spreadsheet would
run as a formula gets a leading `'`; errors stay JSON."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.csv_export import csv_cell
from feedback.at_risk import at_risk_refresh_stale
from feedback.scoring import rescore_dirty
from moments.models import Moment
from touchpoints.services import touchpoint_create

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1:A9)", "\tx", "\rx"]


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def push(api_as, items: list[dict]) -> None:
    response = api_as("analyst").post("/api/v1/feedback/", items, format="json")
    assert response.status_code == 202 and response.json()["rejected"] == [], response.json()


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        *((text, f"'{text}") for text in HOSTILE),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-2, -2),  # a number is no formula
        (58.7, 58.7),
        (None, ""),
        (True, "true"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value, cell):
    assert csv_cell(value) == cell


def test_touchpoints_with_their_health_and_moments(api, journey, stages, touchpoint, moment):
    touchpoint_create(stage=stages[0], name='=HYPERLINK("http://x")', key="ads", owner="+1")
    Moment.objects.create(touchpoint=touchpoint, type="tmot", impact=2)
    rows = rows_of(api.get(f"/api/v1/touchpoints/?journey={journey.pk}&format=csv"))
    assert [row["key"] for row in rows] == ["ads", "checkout"]
    ads, checkout = rows
    assert ads["name"] == '\'=HYPERLINK("http://x")' and ads["owner"] == "'+1"
    assert checkout == {
        "journey": "Online purchase",
        "stage": "Purchase",
        "position": "0",
        "key": "checkout",
        "name": "Checkout",
        "channel": "web",
        "owner": "",
        "expected_emotion": "0",
        "score": "",
        "band": "no_data",
        "n": "0",
        "moments": "fmot:4 tmot:2",
        "description": "",
        "pain_points": "",
        "opportunities": "",
    }


def test_accept_text_csv_asks_for_csv_too_and_the_filters_apply(api, journey, touchpoint, delivery):
    response = api.get(f"/api/v1/touchpoints/?journey={journey.pk}&key=x", HTTP_ACCEPT="text/csv")
    assert [row["key"] for row in rows_of(response)] == ["checkout", "delivery"]
    response = api.get("/api/v1/touchpoints/?channel=web", HTTP_ACCEPT="text/csv")
    assert [row["key"] for row in rows_of(response)] == ["checkout"]


def test_the_scores_are_the_health_the_map_shows(api, api_as, journey, touchpoint):
    push(api_as, [{"touchpoint_key": "checkout", "occurred_at": ago(1), "nps": 10}] * 5)
    rescore_dirty()
    (row,) = rows_of(api.get(f"/api/v1/journeys/{journey.pk}/export/?format=csv"))
    assert (row["key"], row["score"], row["band"], row["n"]) == (
        "checkout",
        "100.0",
        "healthy",
        "5",
    )


def test_feedback_streams_every_page_in_a_few_queries(api, api_as, journey, touchpoint):
    items = [
        {
            "external_id": f"r-{i}",
            "touchpoint_key": "checkout",
            "occurred_at": ago(i + 1),
            "customer_ref": "C-1",
            "nps": i % 11,
            "comment": HOSTILE[i % len(HOSTILE)],
            "metadata": {"i": i},
        }
        for i in range(250)
    ]
    push(api_as, items)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/feedback/?journey={journey.pk}&page_size=10&format=csv")
        rows = rows_of(response)
    assert len(rows) == 250  # all pages, not the first 10
    assert len(queries) < 12
    assert rows[0]["external_id"] == "r-249"  # newest first, as the pages
    first = rows[-1]
    assert first["touchpoint_key"] == "checkout" and first["touchpoint"] == str(touchpoint.pk)
    assert first["comment"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["metadata"] == '{"i":0}' and first["is_negative"] == "true"
    assert {row["comment"] for row in rows} == {f"'{text}" for text in HOSTILE}
    assert first["occurred_at"].endswith("Z")


def test_feedback_csv_filters_like_the_list(api, api_as, journey, touchpoint):
    push(
        api_as,
        [
            {"touchpoint_key": "checkout", "occurred_at": ago(1), "nps": 2, "customer_ref": "A"},
            {"touchpoint_key": "checkout", "occurred_at": ago(2), "nps": 10, "customer_ref": "B"},
        ],
    )
    response = api.get("/api/v1/feedback/?negative=true", HTTP_ACCEPT="text/csv")
    assert [row["customer_ref"] for row in rows_of(response)] == ["A"]
    response = api.get("/api/v1/feedback/?format=csv&received_after=2000-01-01T00:00:00Z")
    assert response.status_code == 400 and "received_after" in response.json()


def test_customers_at_risk(api, api_as, journey, touchpoint, delivery):
    when = {hours: ago(hours) for hours in (1, 2, 3)}  # ties are broken by customer_ref
    bad = [
        {"touchpoint_key": key, "occurred_at": when[hours], "nps": 1, "customer_ref": ref}
        for ref in ('=HYPERLINK("http://evil.example")', "C-2", "C-3")
        for key, hours in (("checkout", 3), ("delivery", 2), ("checkout", 1))
    ]
    push(
        api_as,
        bad
        + [{"touchpoint_key": "delivery", "occurred_at": when[1], "nps": 0, "customer_ref": "C-2"}],
    )
    rescore_dirty()
    at_risk_refresh_stale()
    rows = rows_of(api.get(f"/api/v1/journeys/{journey.pk}/at-risk/?format=csv"))
    assert [row["customer_ref"] for row in rows] == [
        "C-2",
        '\'=HYPERLINK("http://evil.example")',  # "=" sorts before "C"
        "C-3",
    ]
    assert rows[0]["negative_count"] == "4" and rows[0]["last_at"].endswith("Z")
    assert rows[0]["touchpoints"] == "Checkout; Delivery"
    assert rows[0]["touchpoint_keys"] == "checkout; delivery"
    limited = api.get(f"/api/v1/journeys/{journey.pk}/at-risk/?limit=1", HTTP_ACCEPT="text/csv")
    assert len(rows_of(limited)) == 1


def test_errors_of_a_csv_request_are_json(api, journey, foreign_journey):
    for url in (
        f"/api/v1/journeys/{foreign_journey.pk}/export/?format=csv",
        f"/api/v1/journeys/{journey.pk}/at-risk/?format=csv&limit=0",
        "/api/v1/touchpoints/?format=csv&journey=nope",
    ):
        response = api.get(url)
        assert response.status_code in (400, 404), url
        assert response["Content-Type"] == "application/json", url
        assert response.json()


def test_a_viewer_exports_and_another_workspace_is_not_there(
    api_as, outsider_api, journey, touchpoint, foreign_journey, foreign_touchpoint
):
    viewer = api_as("viewer")
    rows = rows_of(viewer.get("/api/v1/touchpoints/?format=csv"))
    assert [row["key"] for row in rows] == ["checkout"]
    assert rows_of(viewer.get("/api/v1/feedback/?format=csv")) == []
    assert rows_of(viewer.get(f"/api/v1/journeys/{journey.pk}/at-risk/?format=csv")) == []
    response = outsider_api.get(f"/api/v1/journeys/{journey.pk}/at-risk/?format=csv")
    assert response.status_code == 404
    rows = rows_of(outsider_api.get(f"/api/v1/touchpoints/?journey={journey.pk}&format=csv"))
    assert rows == []


def test_csv_is_offered_where_documented_only(api, touchpoint):
    response = api.get(f"/api/v1/touchpoints/{touchpoint.pk}/?format=csv")
    assert response.status_code == 404  # no CSV of one touchpoint
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("url", ["/api/v1/touchpoints/?format=csv", "/api/v1/feedback/?format=csv"])
def test_a_method_the_list_does_not_take_is_a_405_even_asking_for_csv(api, url):
    for method in ("TRACE", "PUT"):
        response = api.generic(method, url)
        assert response.status_code == 405, method
        assert response["Content-Type"] == "application/json"
