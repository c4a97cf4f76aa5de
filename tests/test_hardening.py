"""Web hardening: sign-in throttling on the app and the admin, the Content-Security-Policy and the
Permissions-Policy on every page."""

import pytest
from django.test import Client

from workspaces.models import Role


@pytest.fixture
def member(workspace):
    from tests.conftest import make_member

    return make_member("sam", workspace, Role.VIEWER)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_sign_in_out(member, url, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "sam", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(url, {"username": "sam", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    # Locked out: the right password does not get in either, until the cool-off passes.
    response = client.post(url, {"username": "sam", "password": "pw-sam"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_count(member, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "sam", "password": "wrong"})
    assert client.post("/login/", {"username": "sam", "password": "pw-sam"}).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/login/", {"username": "sam", "password": "wrong"}).status_code == 200


def test_another_username_is_not_locked_by_someone_elses_mistakes(member, workspace, settings):
    from tests.conftest import make_member

    make_member("tess", workspace, Role.VIEWER)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sam", "password": "wrong"})
    assert client.post("/login/", {"username": "tess", "password": "pw-tess"}).status_code == 302


@pytest.mark.parametrize("url", ["/login/", "/", "/api/docs/", "/api/v1/journeys/"])
def test_every_answer_carries_the_policies(manager_client, url):
    response = manager_client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
