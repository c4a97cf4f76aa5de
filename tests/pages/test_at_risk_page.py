"""A journey's at-risk customers page: who, their bad experiences in order, the hotspots."""

from datetime import UTC, datetime, timedelta

from feedback.at_risk import at_risk_refresh_stale, customer_bad_experiences
from feedback.ingestion import feedback_ingest
from feedback.scoring import rescore_dirty

NOW = datetime.now(UTC).replace(microsecond=0)


def hours_ago(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).isoformat()


def ingest(workspace, items: list[dict]) -> None:
    """Stores the feedback and does the worker's part: rescore, then find who is at risk."""
    result = feedback_ingest(workspace=workspace, items=items)
    assert result.rejected == []
    rescore_dirty()
    at_risk_refresh_stale()


def make_customers_at_risk(workspace, first: int, last: int) -> None:
    """Customers cust-<first>…cust-<last - 1>, each with three bad experiences and a good one."""
    items = []
    for number in range(first, last):
        ref = f"cust-{number:03}"
        items += [
            {
                "touchpoint_key": "checkout",
                "customer_ref": ref,
                "nps": 2,
                "occurred_at": hours_ago(30),
            },
            {
                "touchpoint_key": "delivery",
                "customer_ref": ref,
                "csat": 1,
                "occurred_at": hours_ago(20),
            },
            {
                "touchpoint_key": "delivery",
                "customer_ref": ref,
                "outcome": "unresolved",
                "occurred_at": hours_ago(10),
            },
            {
                "touchpoint_key": "checkout",
                "customer_ref": ref,
                "nps": 10,
                "occurred_at": hours_ago(5),
            },
        ]
    ingest(workspace, items)


def url(journey) -> str:
    return f"/journeys/{journey.pk}/at-risk/"


def test_it_asks_to_sign_in(client, journey):
    assert client.get(url(journey)).status_code == 302


def test_it_lists_the_customers_at_risk(viewer_client, workspace, journey, touchpoint, delivery):
    ingest(
        workspace,
        [
            {
                "touchpoint_key": "delivery",
                "customer_ref": "ana",
                "csat": 1,
                "comment": "Late again",
                "occurred_at": hours_ago(2),
            },
            {
                "touchpoint_key": "checkout",
                "customer_ref": "ana",
                "nps": 3,
                "comment": "Card refused",
                "occurred_at": hours_ago(48),
            },
            {
                "touchpoint_key": "checkout",
                "customer_ref": "ana",
                "ces": 2,
                "comment": "So hard",
                "occurred_at": hours_ago(24),
            },
            {
                "touchpoint_key": "checkout",
                "customer_ref": "bob",
                "nps": 1,
                "occurred_at": hours_ago(3),
            },
            {
                "touchpoint_key": "checkout",
                "customer_ref": "bob",
                "nps": 9,
                "occurred_at": hours_ago(2),
            },
        ],
    )

    response = viewer_client.get(url(journey))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<code>ana</code>" in page
    assert "<code>bob</code>" not in page
    assert f'href="/touchpoints/{touchpoint.pk}/">Checkout</a>' in page
    assert f'href="/touchpoints/{delivery.pk}/">Delivery</a>' in page
    assert f'href="/journeys/{journey.pk}/"' in page
    assert '<details id="customer-1" class="experience">' in page
    # Oldest first: the story of how the customer came to be at risk.
    assert page.index("Card refused") < page.index("So hard") < page.index("Late again")
    assert "NPS 3" in page and "CES 2" in page and "CSAT 1" in page


def test_it_shows_the_hotspots(viewer_client, workspace, journey, touchpoint, delivery):
    make_customers_at_risk(workspace, 0, 2)

    page = viewer_client.get(url(journey)).content.decode()

    assert "Hotspots" in page
    assert 'style="width: 100%"' in page  # delivery: 4 bad experiences, the most
    assert 'style="width: 50%"' in page  # checkout: 2


def test_it_says_when_nobody_is_at_risk(viewer_client, journey, touchpoint):
    page = viewer_client.get(url(journey)).content.decode()

    assert "No customer had 3 or more bad experiences in the last 90 days." in page


def test_it_validates_ownership(outsider_client, journey):
    assert outsider_client.get(url(journey)).status_code == 404


def test_the_bad_experiences_come_in_one_query(
    workspace, journey, touchpoint, delivery, django_assert_num_queries
):
    make_customers_at_risk(workspace, 0, 3)
    journey.refresh_from_db()
    journey.workspace  # noqa: B018 (loaded beforehand, as the page does)

    with django_assert_num_queries(1):
        experiences = customer_bad_experiences(journey, ["cust-000", "cust-002", "nobody"])

    assert [len(experiences[ref]) for ref in ("cust-000", "cust-002", "nobody")] == [3, 3, 0]
    assert [f.touchpoint.name for f in experiences["cust-000"]] == [
        "Checkout",
        "Delivery",
        "Delivery",
    ]


def test_the_query_count_is_constant(
    viewer_client, workspace, journey, touchpoint, delivery, django_assert_num_queries
):
    make_customers_at_risk(workspace, 0, 3)
    viewer_client.get(url(journey))  # the first read finds the customers (a report is made)
    with django_assert_num_queries(11):
        assert viewer_client.get(url(journey)).status_code == 200
    make_customers_at_risk(workspace, 3, 30)
    viewer_client.get(url(journey))

    with django_assert_num_queries(11):
        page = viewer_client.get(url(journey)).content.decode()

    assert page.count('class="experience"') == 30
