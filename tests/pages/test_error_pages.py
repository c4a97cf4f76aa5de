"""Error pages in the app's layout; the API keeps answering JSON."""

import uuid

from django.test import Client


def test_a_missing_page_is_a_404_in_the_layout(manager_client):
    response = manager_client.get(f"/journeys/{uuid.uuid4()}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page is not here" in page
    assert 'class="topbar"' in page and "Sign out" in page


def test_a_forbidden_change_is_a_403_in_the_layout(viewer_client, journey):
    response = viewer_client.post(f"/journeys/{journey.pk}/stages/add/", {"name": "X"})
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()


def test_a_server_error_page_needs_no_request_or_database(settings):
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html


def test_the_api_answers_json(db):
    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
