"""The people of every test here: an owner (manager), teammates (an analyst, a viewer), and an
outsider who manages a workspace of their own. API clients authenticate for real, by session or token."""

import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from config.outage import broker_breaker, cache_breaker
from journeys.services import journey_create
from moments.models import Moment
from touchpoints.services import touchpoint_create
from workspaces.models import ApiToken, Membership, Role, Workspace


@pytest.fixture
def postgres_dir():
    """A folder for a private PostgreSQL's data, outside pytest's own temporary folders: pgserver
    runs the server as its own user, which needs to reach it, and pytest makes its folders
    private again whenever a session starts."""
    path = Path(tempfile.mkdtemp(prefix="truthmap-pg-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request activates its language in the thread: Spanish must not leak into the next test."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def closed_breakers():
    """A test that made the cache or the broker fail leaves its breaker open for 10 s, and the
    next tests would skip the cache (token lookups, throttles) without failing."""
    yield
    cache_breaker.open_until = broker_breaker.open_until = 0.0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # make_member sets real passwords; the slow default hasher would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def workspace(db):
    return Workspace.objects.create(slug="acme", name="Acme")


@pytest.fixture
def other_workspace(db):
    return Workspace.objects.create(slug="globex", name="Globex")


def make_member(username: str, workspace: Workspace, role: str):
    user = get_user_model().objects.create_user(username, password="pw-" + username)
    Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def owner(workspace):
    return make_member("alice", workspace, Role.MANAGER)


@pytest.fixture
def outsider(other_workspace):
    return make_member("mallory", other_workspace, Role.MANAGER)


@pytest.fixture
def analyst(workspace):
    return make_member("anna", workspace, Role.ANALYST)


@pytest.fixture
def viewer(workspace):
    return make_member("vera", workspace, Role.VIEWER)


@pytest.fixture
def journey(workspace):
    return journey_create(workspace=workspace, name="Online purchase", persona="Shopper")


@pytest.fixture
def stages(journey):
    return list(journey.stages.order_by("position"))


@pytest.fixture
def touchpoint(stages):
    return touchpoint_create(stage=stages[2], name="Checkout", key="checkout", channel="web")


@pytest.fixture
def delivery(stages):
    return touchpoint_create(stage=stages[3], name="Delivery", key="delivery")


@pytest.fixture
def moment(touchpoint):
    return Moment.objects.create(touchpoint=touchpoint, type="fmot", impact=4, tagged_by="alice")


@pytest.fixture
def foreign_journey(other_workspace):
    return journey_create(workspace=other_workspace, name="Their journey")


@pytest.fixture
def foreign_touchpoint(foreign_journey):
    stage = foreign_journey.stages.order_by("position").first()
    return touchpoint_create(stage=stage, name="Their touchpoint", key="theirs")


@pytest.fixture
def foreign_moment(foreign_touchpoint):
    return Moment.objects.create(touchpoint=foreign_touchpoint, type="zmot", impact=2)


def token_client(workspace: Workspace, role: str) -> APIClient:
    _, raw = ApiToken.issue(workspace=workspace, name=f"{role} token", role=role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(owner):
    """The owner, signed in with a session."""
    client = APIClient()
    client.force_login(owner)
    return client


@pytest.fixture
def api_as(workspace):
    """api_as(role): a client holding a token of that role in the owner's workspace."""
    return lambda role: token_client(workspace, role)


@pytest.fixture
def outsider_api(outsider):
    client = APIClient()
    client.force_login(outsider)
    return client


# Browsers signed in for the pages: the owner (a manager), an analyst, a viewer, the outsider.


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


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


@pytest.fixture
def objs(journey, stages, touchpoint, moment):
    """The owner's objects, for URL templates such as "/api/v1/stages/{stage.id}/"."""
    return SimpleNamespace(journey=journey, stage=stages[0], touchpoint=touchpoint, moment=moment)


@pytest.fixture
def foreign(foreign_journey, foreign_touchpoint, foreign_moment):
    """The outsider's objects, shaped like `objs`."""
    return SimpleNamespace(
        journey=foreign_journey,
        stage=foreign_touchpoint.stage,
        touchpoint=foreign_touchpoint,
        moment=foreign_moment,
    )


@pytest.fixture
def fill(stages):
    """fill(n): n touchpoints spread over the journey's stages, every other one tagged."""

    def make(n: int) -> None:
        for i in range(n):
            tp = touchpoint_create(stage=stages[i % len(stages)], name=f"Touchpoint {i}")
            if i % 2:
                Moment.objects.create(touchpoint=tp, type="smot", impact=3)

    return make
