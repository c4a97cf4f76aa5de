"""The dashboard and the journey map: pages, HTMX partials, roles, isolation, query counts."""

import re

import pytest
from django.test import Client

from journeys.models import Journey
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create

HTMX = {"HTTP_HX_REQUEST": "true"}


def positions(stage):
    return list(stage.touchpoints.order_by("position").values_list("key", "position"))


def test_it_asks_to_sign_in(client, journey):
    assert client.get("/").status_code == 302
    assert client.get(f"/journeys/{journey.pk}/").status_code == 302


def test_the_dashboard_lists_the_workspace_journeys(manager_client, journey, foreign_journey):
    page = manager_client.get("/").content.decode()
    assert journey.name in page
    assert foreign_journey.name not in page
    assert "New journey" in page


@pytest.mark.parametrize(
    ("start_from", "stage_count", "touchpoint_count"),
    [
        ("classic", 6, 0),
        ("online-purchase", 6, 13),
        ("customer-service", 6, 5),
        ("contact-centre-support", 5, 11),
        ("saas-onboarding", 6, 13),
        ("empty", 0, 0),
    ],
)
def test_it_creates_a_journey(manager_client, workspace, start_from, stage_count, touchpoint_count):
    response = manager_client.post(
        "/journeys/new/", {"name": "Trial", "persona": "Visitor", "start_from": start_from}
    )
    journey = Journey.objects.get(name="Trial")
    assert response.status_code == 302 and response.url == f"/journeys/{journey.pk}/"
    assert (journey.persona, journey.workspace) == ("Visitor", workspace)
    assert journey.stages.count() == stage_count
    assert Touchpoint.objects.filter(journey=journey).count() == touchpoint_count


def test_a_journey_without_a_name_is_refused(manager_client):
    response = manager_client.post("/journeys/new/", {"name": "", "start_from": "classic"})
    assert response.status_code == 400
    assert not Journey.objects.exists()


def test_the_map_shows_stages_touchpoints_and_moments(manager_client, journey, moment):
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    for text in ("Discovery", "Recommendation", "Checkout", "FMOT", "Add touchpoint"):
        assert text in page
    assert 'data-chart="emotion"' in page


def test_the_board_partial_is_served_to_htmx(manager_client, journey, touchpoint):
    response = manager_client.get(f"/journeys/{journey.pk}/", **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board"')
    assert "<html" not in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_filters_dim_what_does_not_match(manager_client, journey, moment, stages):
    touchpoint_create(stage=stages[0], name="Search", key="search", channel="web")
    page = manager_client.get(f"/journeys/{journey.pk}/?type=fmot").content.decode()
    assert page.count("touchpoint dimmed") == 1


def test_a_viewer_sees_no_edit_controls_and_cannot_post(viewer_client, journey, touchpoint):
    page = viewer_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert "Checkout" in page
    for control in ("Add touchpoint", "Add stage", "data-sortable", 'class="stage-name"'):
        assert control not in page
    stage = journey.stages.first()
    posts = [
        (f"/journeys/{journey.pk}/stages/add/", {"name": "X"}),
        (f"/stages/{stage.pk}/rename/", {"name": "X"}),
        (f"/stages/{stage.pk}/move/", {"position": 2}),
        (f"/stages/{stage.pk}/delete/", {}),
        (f"/stages/{stage.pk}/touchpoints/add/", {"name": "X", "channel": "web"}),
        (f"/touchpoints/{touchpoint.pk}/move/", {"direction": "left"}),
        (f"/touchpoints/{touchpoint.pk}/delete/", {}),
    ]
    for url, data in posts:
        assert viewer_client.post(url, data).status_code == 403, url
    assert journey.stages.count() == 6 and Touchpoint.objects.count() == 1


def test_another_workspace_gets_404_everywhere(outsider_client, journey, touchpoint):
    stage = journey.stages.first()
    assert outsider_client.get(f"/journeys/{journey.pk}/").status_code == 404
    assert outsider_client.get(f"/journeys/{journey.pk}/at-risk/").status_code == 404
    for url in (
        f"/journeys/{journey.pk}/stages/add/",
        f"/stages/{stage.pk}/rename/",
        f"/stages/{stage.pk}/delete/",
        f"/stages/{stage.pk}/touchpoints/add/",
        f"/touchpoints/{touchpoint.pk}/move/",
        f"/touchpoints/{touchpoint.pk}/delete/",
    ):
        assert outsider_client.post(url, {"name": "X", "direction": "up"}).status_code == 404
    assert journey.stages.count() == 6 and Touchpoint.objects.count() == 1


def test_a_manager_edits_stages(manager_client, journey):
    stages = list(journey.stages.order_by("position"))
    manager_client.post(f"/stages/{stages[0].pk}/rename/", {"name": "Awareness"}, **HTMX)
    manager_client.post(f"/stages/{stages[5].pk}/move/", {"position": 0}, **HTMX)
    manager_client.post(f"/stages/{stages[2].pk}/delete/", **HTMX)
    response = manager_client.post(f"/journeys/{journey.pk}/stages/add/", {"name": "Churn"}, **HTMX)
    assert response.status_code == 200
    assert list(journey.stages.order_by("position").values_list("name", flat=True)) == [
        "Recommendation",
        "Awareness",
        "Consideration",
        "Experience",
        "Loyalty",
        "Churn",
    ]


def test_a_manager_adds_moves_and_deletes_touchpoints(manager_client, stages):
    purchase, experience = stages[2], stages[3]
    for name in ("Cart", "Checkout", "Receipt"):
        manager_client.post(
            f"/stages/{purchase.pk}/touchpoints/add/", {"name": name, "channel": "web"}
        )
    assert positions(purchase) == [("cart", 0), ("checkout", 1), ("receipt", 2)]

    cart = Touchpoint.objects.get(key="cart")
    response = manager_client.post(
        f"/touchpoints/{cart.pk}/move/", {"stage": experience.pk, "position": 0}, **HTMX
    )
    assert response.status_code == 200
    assert positions(purchase) == [("checkout", 0), ("receipt", 1)]
    assert positions(experience) == [("cart", 0)]

    receipt = Touchpoint.objects.get(key="receipt")
    manager_client.post(f"/touchpoints/{receipt.pk}/move/", {"direction": "up"})
    assert positions(purchase) == [("receipt", 0), ("checkout", 1)]
    manager_client.post(f"/touchpoints/{receipt.pk}/move/", {"direction": "right"})
    assert positions(experience) == [("receipt", 0), ("cart", 1)]
    manager_client.post(f"/touchpoints/{cart.pk}/delete/")
    assert positions(experience) == [("receipt", 0)]


def swapped(response) -> list[str]:
    """The ids of the elements an HTMX answer swaps out of band, in order."""
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board"' not in html
    return re.findall(r'<\w+ [^>]*?id="([^"]+)"[^>]*? hx-swap-oob="true"', html)


def test_a_move_answers_only_the_pieces_it_changed(manager_client, stages):
    purchase, experience = stages[2], stages[3]
    cart = touchpoint_create(stage=purchase, name="Cart")
    touchpoint_create(stage=purchase, name="Checkout")
    touchpoint_create(stage=stages[0], name="Search")  # a stage the moves leave alone

    response = manager_client.post(f"/touchpoints/{cart.pk}/move/", {"direction": "down"}, **HTMX)
    assert swapped(response) == [f"stage-cards-{purchase.pk}", "lanes", "emotion"]

    response = manager_client.post(
        f"/touchpoints/{cart.pk}/move/", {"stage": experience.pk, "position": 0}, **HTMX
    )
    assert swapped(response) == [
        f"stage-head-{purchase.pk}",
        f"stage-head-{experience.pk}",
        f"stage-cards-{purchase.pk}",
        f"stage-cards-{experience.pk}",
        "lanes",
        "emotion",
    ]
    html = response.content.decode()
    # The moved card is in its new stage's list, once.
    assert html.count(f'id="tp-{cart.pk}"') == 1
    assert html.index(f'id="stage-cards-{experience.pk}"') < html.index(f'id="tp-{cart.pk}"')


def test_a_rename_answers_only_the_stage_header(manager_client, stages):
    response = manager_client.post(f"/stages/{stages[1].pk}/rename/", {"name": "Research"}, **HTMX)
    assert swapped(response) == [f"stage-head-{stages[1].pk}"]
    assert 'value="Research"' in response.content.decode()


def test_a_drop_on_a_stage_of_another_journey_is_refused(
    manager_client, touchpoint, foreign_journey
):
    foreign_stage = foreign_journey.stages.first()
    response = manager_client.post(
        f"/touchpoints/{touchpoint.pk}/move/", {"stage": foreign_stage.pk, "position": 0}
    )
    assert response.status_code == 404
    touchpoint.refresh_from_db()
    assert touchpoint.stage.journey_id == touchpoint.journey_id


# The dashboard lists the archived journeys apart, with a query of their own.
@pytest.mark.parametrize(("url", "count"), [("/", 11), ("/journeys/{pk}/", 11)])
def test_pages_use_the_same_number_of_queries_whatever_the_size(
    manager_client, journey, stages, url, count, django_assert_num_queries
):
    url = url.format(pk=journey.pk)
    touchpoint_create(stage=stages[0], name="First")
    with django_assert_num_queries(count):
        assert manager_client.get(url).status_code == 200
    for i in range(30):
        touchpoint = touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
        touchpoint.moments.create(type="fmot", impact=3)
    with django_assert_num_queries(count):
        assert manager_client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_an_edit_answers_with_the_same_number_of_queries_whatever_the_size(
    manager_client, stages, size, django_assert_num_queries
):
    for i in range(size):
        touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
    moved = Touchpoint.objects.filter(stage=stages[0]).first()
    # The move itself (under the journey's lock, stage health recomputed, the audit context set
    # before each of its 5 writes and cleared at the end), then the fresh map that the changed
    # pieces are cut from: 30 whatever the size.
    with django_assert_num_queries(30):
        response = manager_client.post(
            f"/touchpoints/{moved.pk}/move/", {"stage": stages[1].pk, "position": 0}, **HTMX
        )
    assert response.status_code == 200


def test_the_panel_offers_deletion_to_managers_only(manager_client, viewer_client, touchpoint):
    assert (
        "Delete touchpoint" in manager_client.get(f"/touchpoints/{touchpoint.pk}/").content.decode()
    )
    assert (
        "Delete touchpoint"
        not in viewer_client.get(f"/touchpoints/{touchpoint.pk}/").content.decode()
    )
    response = manager_client.post(f"/touchpoints/{touchpoint.pk}/delete/")
    assert response.status_code == 302 and response.url == f"/journeys/{touchpoint.journey_id}/"
    assert not Touchpoint.objects.exists()


def test_the_switcher_changes_the_workspace(owner, other_workspace, journey, foreign_journey):
    from workspaces.models import Membership

    Membership.objects.create(user=owner, workspace=other_workspace, role="viewer")
    client = Client()
    client.force_login(owner)
    assert journey.name in client.get("/").content.decode()
    response = client.post("/workspaces/switch/", {"workspace": "globex"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert foreign_journey.name in page and journey.name not in page
    assert client.post("/workspaces/switch/", {"workspace": "nope"}).status_code == 404


def test_card_scores_follow_the_language(manager_client, journey, touchpoint):
    Touchpoint.objects.filter(pk=touchpoint.pk).update(health_score=71.5, health_band="healthy")
    english = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    spanish = manager_client.get(
        f"/journeys/{journey.pk}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert 'title="Healthy">71.5</span>' in english
    assert 'title="Saludable">71,5</span>' in spanish


def test_cards_escape_what_users_typed(manager_client, journey, touchpoint):
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        name='<script>alert("x")</script>', owner="R&D <team>"
    )
    page = manager_client.get(f"/journeys/{journey.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "· R&amp;D &lt;team&gt;</span>" in page


def test_the_lanes_show_channels_pain_points_and_opportunities(manager_client, journey, touchpoint):
    Touchpoint.objects.filter(pk=touchpoint.pk).update(
        pain_points="3-D Secure fails", opportunities="Offer wallets"
    )
    page = manager_client.get(
        f"/journeys/{journey.pk}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "<div>◍ Web</div>" in page
    assert "<div><strong>Checkout:</strong> 3-D Secure fails</div>" in page
    assert "<div><strong>Checkout:</strong> Offer wallets</div>" in page
