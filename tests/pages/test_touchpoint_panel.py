"""The touchpoint panel, its edit form and the moment-of-truth tags: pages and HTMX partials,
roles, isolation, bad input, the sentence that explains a score, and a constant query count.

Fixtures of this file only (tests/pages/conftest.py belongs to the map page tests)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from feedback.ingestion import feedback_ingest
from feedback.scoring import rescore_touchpoints
from moments.models import Moment
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create
from workspaces.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(touchpoint) -> str:
    return reverse("maps:touchpoint", args=[touchpoint.pk])


def edit_url(touchpoint) -> str:
    return reverse("maps:touchpoint-edit", args=[touchpoint.pk])


def tag_url(touchpoint) -> str:
    return reverse("maps:moment-tag", args=[touchpoint.pk])


def untag_url(moment) -> str:
    return reverse("maps:moment-untag", args=[moment.pk])


def edit_data(**changes) -> dict:
    data = {
        "name": "Checkout",
        "key": "checkout",
        "channel": "web",
        "owner": "Payments team",
        "expected_emotion": "1",
        "description": "Pay for the basket",
        "pain_points": "",
        "opportunities": "",
    }
    return {**data, **changes}


def feedback(workspace, count: int, **fields) -> None:
    """`count` NPS answers with comments on the checkout, spread over the last days, scored."""
    now = datetime.now(UTC)
    items = [
        {
            "touchpoint_key": "checkout",
            "occurred_at": (now - timedelta(days=i % 20, hours=1)).isoformat(),
            "customer_ref": f"c-{i}",
            "nps": i % 11,
            "sentiment": 0.5,
            "comment": f"Comment number {i}",
            **fields,
        }
        for i in range(count)
    ]
    result = feedback_ingest(workspace=workspace, items=items)
    assert result.rejected == [] and result.accepted == count
    rescore_touchpoints(Touchpoint.objects.filter(workspace=workspace).values_list("id", flat=True))


def has_inline_script(html: str) -> bool:
    """A <script> that is not a json_script data block."""
    return any("application/json" not in tag for tag in re.findall(r"<script[^>]*>", html))


# Pages and partials


def test_it_shows_the_panel_beside_the_map(manager_client, touchpoint):
    response = manager_client.get(detail_url(touchpoint))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="board"' in html and 'id="panel"' in html
    assert "Checkout" in html
    assert reverse("maps:map", args=[touchpoint.journey_id]) in html  # the close link
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_the_panel_alone(manager_client, touchpoint):
    response = manager_client.get(detail_url(touchpoint), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel"' in html
    assert 'id="board"' not in html and "<html" not in html
    assert not has_inline_script(html)


def test_it_requires_a_sign_in(client, touchpoint):
    response = client.get(detail_url(touchpoint))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_health_charts_and_latest_comments(manager_client, workspace, touchpoint):
    feedback(workspace, 12)
    response = manager_client.get(detail_url(touchpoint), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    panel = response.context["panel"]
    # nps = i % 11 for i in 0..11: every value once, 0 twice.
    assert panel["nps"]["y"] == [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert panel["nps"]["total"] == 12
    assert 'data-chart="history"' in html and 'id="panel-history-data"' in html
    assert 'data-chart="nps"' in html and 'id="panel-nps-data"' in html
    assert panel["explanation"].startswith("Score ")
    assert panel["explanation"] in html
    comments = [f.comment for f in panel["comments"]]
    assert len(comments) == 5
    newest_first = [f.occurred_at for f in panel["comments"]]
    assert newest_first == sorted(newest_first, reverse=True)
    assert not has_inline_script(html)


def test_it_says_when_there_is_no_data(manager_client, touchpoint):
    response = manager_client.get(detail_url(touchpoint), **HTMX)
    html = response.content.decode()
    assert "No score yet: no feedback in the last 90 days." in html
    assert 'data-chart="nps"' not in html and 'data-chart="history"' not in html
    assert "No comments yet." in html


def test_it_lists_moments_with_definitions(manager_client, touchpoint, moment):
    html = manager_client.get(detail_url(touchpoint), **HTMX).content.decode()
    assert "First moment of truth (FMOT)" in html
    assert "First encounter with the product or service" in html  # beside the tag
    assert "What are moments of truth?" in html
    assert "Interactions with the contact center." in html  # in the glossary
    assert "Tagged by alice" in html


# Roles


def test_a_viewer_sees_values_and_no_controls(viewer_client, touchpoint, moment):
    html = viewer_client.get(detail_url(touchpoint), **HTMX).content.decode()
    assert "checkout" in html  # the key, read-only
    assert edit_url(touchpoint) not in html
    assert tag_url(touchpoint) not in html
    assert untag_url(moment) not in html
    assert "<form" not in html


@pytest.mark.parametrize("action", ["edit", "tag", "untag"])
def test_a_viewer_gets_403_on_posts(viewer_client, touchpoint, moment, action):
    url = {"edit": edit_url(touchpoint), "tag": tag_url(touchpoint), "untag": untag_url(moment)}
    data = {"edit": edit_data(name="Hacked"), "tag": {"type": "zmot", "impact": 3}, "untag": {}}
    response = viewer_client.post(url[action], data[action], **HTMX)
    assert response.status_code == 403
    touchpoint.refresh_from_db()
    assert touchpoint.name == "Checkout"
    assert list(Moment.objects.values_list("type", flat=True)) == ["fmot"]


def test_an_analyst_can_tag_but_not_edit(analyst_client, touchpoint):
    html = analyst_client.get(detail_url(touchpoint), **HTMX).content.decode()
    assert tag_url(touchpoint) in html
    assert edit_url(touchpoint) not in html
    assert analyst_client.post(edit_url(touchpoint), edit_data(name="Renamed")).status_code == 403
    touchpoint.refresh_from_db()
    assert touchpoint.name == "Checkout"

    data = {"type": "zmot", "impact": "5", "rationale": "Reviews decide"}
    response = analyst_client.post(tag_url(touchpoint), data, **HTMX)
    assert response.status_code == 200
    moment = Moment.objects.get(touchpoint=touchpoint)
    assert (moment.type, moment.impact, moment.rationale) == ("zmot", 5, "Reviews decide")
    assert moment.tagged_by == "anna"
    html = response.content.decode()
    assert 'id="panel"' in html
    assert 'hx-swap-oob="true"' in html  # the board's badges refreshed out of band
    assert untag_url(moment) in html


def test_the_tag_form_offers_the_free_types_only(analyst_client, touchpoint, moment):
    html = analyst_client.get(detail_url(touchpoint), **HTMX).content.decode()
    form = html[html.index('id="moment-type"') :]
    select = form[: form.index("</select>")]
    assert 'value="zmot"' in select
    assert 'value="fmot"' not in select


def test_a_plain_tag_post_redirects_to_the_panel(manager_client, touchpoint):
    response = manager_client.post(tag_url(touchpoint), {"type": "tmot", "impact": "2"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(touchpoint)
    assert Moment.objects.get(touchpoint=touchpoint).tagged_by == "alice"


def test_an_analyst_untags(analyst_client, touchpoint, moment):
    response = analyst_client.post(untag_url(moment), **HTMX)
    assert response.status_code == 200
    assert not Moment.objects.filter(pk=moment.pk).exists()
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_a_plain_untag_post_redirects(manager_client, touchpoint, moment):
    response = manager_client.post(untag_url(moment))
    assert response.status_code == 302
    assert response["Location"] == detail_url(touchpoint)
    assert not Moment.objects.exists()


def test_the_untag_button_asks_first(manager_client, touchpoint, moment):
    html = manager_client.get(detail_url(touchpoint), **HTMX).content.decode()
    form = html[html.index(f'hx-post="{untag_url(moment)}"') :]
    assert "hx-confirm=" in form[: form.index(">")]


def test_a_manager_edits_every_field(manager_client, touchpoint):
    data = edit_data(
        name="Pay",
        key="pay",
        channel="mobile_app",
        owner="Team B",
        expected_emotion="-2",
        description="d",
        pain_points="p",
        opportunities="o",
    )
    response = manager_client.post(edit_url(touchpoint), data, **HTMX)
    assert response.status_code == 200
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.key, touchpoint.channel) == ("Pay", "pay", "mobile_app")
    assert (touchpoint.owner, touchpoint.expected_emotion) == ("Team B", -2)
    assert (touchpoint.description, touchpoint.pain_points, touchpoint.opportunities) == (
        "d",
        "p",
        "o",
    )
    html = response.content.decode()
    assert 'id="panel"' in html and 'hx-swap-oob="true"' in html
    # A status says it was saved; the browser moves the focus to it (test_keyboard_focus.py).
    assert (
        '<p id="panel-saved" class="saved" role="status" tabindex="-1">'
        "The touchpoint was saved.</p>" in html
    )


def test_a_plain_edit_post_redirects(manager_client, touchpoint):
    response = manager_client.post(edit_url(touchpoint), edit_data(name="Pay"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(touchpoint)


# Bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"key": "delivery", "name": "Renamed"},
            "Another touchpoint of the workspace uses this key.",
        ),
        ({"expected_emotion": "5", "name": "Renamed"}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_edits_change_nothing(manager_client, touchpoint, delivery, changes, message, htmx):
    before = Touchpoint.objects.values().get(pk=touchpoint.pk)
    response = manager_client.post(
        edit_url(touchpoint), edit_data(**changes), **(HTMX if htmx else {})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert Touchpoint.objects.values().get(pk=touchpoint.pk) == before
    # The panel's title shows the stored name, the form the rejected input.
    assert '<h2 id="panel-title" tabindex="-1">Checkout</h2>' in html
    # A plain post gets the whole page; HTMX the panel alone, since nothing on the map changed.
    assert ('id="board"' in html) is not htmx
    assert ("hx-swap-oob" in html) is False
    assert 'id="panel-saved"' not in html
    # The field in error says so, and names its error (Django's aria-invalid, aria-describedby).
    assert 'aria-invalid="true"' in html and 'aria-describedby="touchpoint-' in html


def test_a_duplicate_tag_type_is_a_form_error(manager_client, touchpoint, moment):
    response = manager_client.post(tag_url(touchpoint), {"type": "fmot", "impact": "2"}, **HTMX)
    assert response.status_code == 400
    assert "The touchpoint already has a tag of this type." in response.content.decode()
    assert Moment.objects.get().impact == 4


@pytest.mark.parametrize("impact", ["0", "6", "x", ""])
def test_an_impact_outside_1_to_5_is_a_form_error(manager_client, touchpoint, impact):
    response = manager_client.post(tag_url(touchpoint), {"type": "zmot", "impact": impact}, **HTMX)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Moment.objects.exists()


def test_an_unknown_type_is_a_form_error(manager_client, touchpoint):
    response = manager_client.post(tag_url(touchpoint), {"type": "nope", "impact": "3"}, **HTMX)
    assert response.status_code == 400
    assert not Moment.objects.exists()


def test_tag_and_untag_take_posts_only(manager_client, touchpoint, moment):
    assert manager_client.get(tag_url(touchpoint)).status_code == 405
    assert manager_client.get(untag_url(moment)).status_code == 405


# Isolation


def test_another_workspace_is_404(manager_client, foreign_touchpoint, foreign_moment):
    assert manager_client.get(detail_url(foreign_touchpoint)).status_code == 404
    assert manager_client.get(detail_url(foreign_touchpoint), **HTMX).status_code == 404
    assert manager_client.post(edit_url(foreign_touchpoint), edit_data(key="x")).status_code == 404
    response = manager_client.post(tag_url(foreign_touchpoint), {"type": "fmot", "impact": "3"})
    assert response.status_code == 404
    assert manager_client.post(untag_url(foreign_moment)).status_code == 404
    assert Moment.objects.filter(pk=foreign_moment.pk).exists()
    assert Moment.objects.filter(touchpoint=foreign_touchpoint).count() == 1


def test_the_outsider_cannot_reach_our_touchpoint(outsider, touchpoint, moment):
    client = Client()
    client.force_login(outsider)
    assert client.get(detail_url(touchpoint)).status_code == 404
    assert client.post(untag_url(moment)).status_code == 404
    assert client.post(tag_url(touchpoint), {"type": "zmot", "impact": "3"}).status_code == 404


# Query count


@pytest.mark.parametrize(
    ("headers", "count"), [(HTMX, 9), ({}, 15)], ids=["panel", "page with the map"]
)
def test_the_panel_reads_a_constant_number_of_queries(
    manager_client, workspace, touchpoint, delivery, headers, count, django_assert_num_queries
):
    url = detail_url(touchpoint)
    feedback(workspace, 2)
    for type_ in ("zmot", "fmot"):
        Moment.objects.create(touchpoint=touchpoint, type=type_, impact=3, tagged_by="alice")
    with django_assert_num_queries(count):
        assert manager_client.get(url, **headers).status_code == 200

    feedback(workspace, 18, sentiment=-0.5)
    for type_ in ("sub_zero", "smot", "intermediate", "tmot"):
        Moment.objects.create(touchpoint=touchpoint, type=type_, impact=2, tagged_by="bob")
    Moment.objects.create(touchpoint=delivery, type="tmot", impact=2)
    with django_assert_num_queries(count):
        assert manager_client.get(url, **headers).status_code == 200


@pytest.mark.parametrize(
    ("post", "count"),
    [
        # Each with the audit context set before each write and cleared at the end.
        (lambda tp: (edit_url(tp), edit_data(name="Pay")), 27),
        (lambda tp: (tag_url(tp), {"type": "zmot", "impact": "3"}), 32),
    ],
    ids=["edit", "tag"],
)
def test_a_panel_change_answers_with_a_constant_number_of_queries(
    manager_client, stages, touchpoint, post, count, django_assert_num_queries
):
    for i in range(30):
        touchpoint_create(stage=stages[i % 6], name=f"Touchpoint {i}")
    url, data = post(touchpoint)
    with django_assert_num_queries(count):
        assert manager_client.post(url, data, **HTMX).status_code == 200


def test_the_sentence_on_the_page_matches_the_stored_health(manager_client, workspace, touchpoint):
    feedback(workspace, 6)  # 6 NPS answers (0–5: all detractors) and 6 sentiments of 0.5
    html = manager_client.get(detail_url(touchpoint), **HTMX).content.decode()
    assert (
        "Score 37.5 (critical): the mean of NPS 0.0 (6 responses) and Sentiment 75.0 (6) with "
        "equal weights."
    ) in html


def test_a_stale_save_is_a_conflict_that_shows_the_other_change(
    manager_client, workspace, touchpoint
):
    from tests.conftest import make_member, signed_in

    other = signed_in(make_member("otto", workspace, Role.MANAGER))
    page = manager_client.get(detail_url(touchpoint), **HTMX).content.decode()
    assert 'name="version" value="1"' in page  # the form carries the version it was read at

    assert other.post(edit_url(touchpoint), edit_data(name="Pay", version="1")).status_code == 302
    response = manager_client.post(
        edit_url(touchpoint), edit_data(name="Checkout page", version="1"), **HTMX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this touchpoint" in html
    assert "<dd>Pay " in html and "Checkout page" in html  # theirs, beside yours
    assert 'id="panel-conflict"' in html and 'id="panel-saved"' not in html
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.version) == ("Pay", 2)  # nothing of ours was saved

    # Saving the form again replaces theirs knowingly: it now carries version 2.
    assert 'name="version" value="2"' in html
    again = manager_client.post(
        edit_url(touchpoint), edit_data(name="Checkout page", version="2"), **HTMX
    )
    assert again.status_code == 200
    touchpoint.refresh_from_db()
    assert (touchpoint.name, touchpoint.version) == ("Checkout page", 3)
