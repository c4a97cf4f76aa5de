"""Signed-in browsers for the page tests: the owner (a manager), an analyst and a viewer of
`workspace`, and the outsider, who manages `other_workspace` only."""

import pytest
from django.test import Client

from tests.conftest import make_member
from workspaces.models import Role


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def analyst(workspace):
    return make_member("anna", workspace, Role.ANALYST)


@pytest.fixture
def viewer(workspace):
    return make_member("vera", workspace, Role.VIEWER)


@pytest.fixture
def manager_client(owner):
    return signed_in(owner)


@pytest.fixture
def analyst_client(analyst):
    return signed_in(analyst)


@pytest.fixture
def viewer_client(viewer):
    return signed_in(viewer)


@pytest.fixture
def outsider_client(outsider):
    return signed_in(outsider)
