"""Error pages in the app's layout; the API keeps answering JSON."""

import uuid

import pytest
from django.test import Client
from django.urls import path

from config import urls as app_urls


def fail(request):
    raise RuntimeError("a bug")


# The app's URLs and error handler with one view that fails, for @pytest.mark.urls(__name__).
urlpatterns = [path("fail/", fail), *app_urls.urlpatterns]
handler500 = app_urls.handler500


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


@pytest.mark.urls(__name__)
def test_a_server_error_is_said_in_the_language_of_the_request(db):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Algo falló por nuestra parte" in page
    assert "Something went wrong" not in page

    english = client.get("/fail/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english and "Something went wrong on our side" in english


def test_the_api_answers_json(db):
    response = Client().get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
