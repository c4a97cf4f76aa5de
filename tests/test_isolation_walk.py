"""One walk over every URL the resolver knows (API, pages, partials, exports), so a new URL cannot
escape it: another workspace's objects are 404 whatever the method, callers without credentials
get a 401 or the sign-in page, and no list shows anything of another workspace."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from feedback.ingestion import feedback_ingest
from feedback.models import ImportJob
from journeys.models import ShareLink
from tests.api.helpers import snapshot
from tests.conftest import make_member, signed_in
from workspaces.models import ApiToken, Role

# Reached without signing in: the sign-in itself, the language switch, the API's schema and docs.
PUBLIC = {"login", "logout", "set_language", "schema", "api-docs", "api-root"}
PUBLIC |= {"workspaces:invitation"}  # a link from an email: its token is the credential
PUBLIC |= {"maps:shared"}  # a journey's share link: its token is the credential too
METHODS = ("get", "post", "patch", "delete")
FOREIGN_WORDS = ("Globex", "Their journey", "Their touchpoint", "theirs", "their-survey")


def routes():
    """(name, kwarg names, converter) of every named URL but the admin's (staff only)."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = getattr(pattern.pattern, "converters", {})
                kinds = {name: type(c).__name__ for name, c in converters.items()}
                yield f"{namespace}{pattern.name}", list(pattern.pattern.regex.groupindex), kinds

    return sorted(walk(get_resolver().url_patterns))


ROUTES = routes()
WITH_IDS = [route for route in ROUTES if route[1]]
WITHOUT_IDS = [route for route in ROUTES if not route[1]]


def url_for(name: str, kwargs: dict) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


@pytest.fixture
def world(workspace, other_workspace, owner, outsider, objs, foreign):
    """Ours and theirs: every kind of object in each workspace."""
    now = "2026-01-01T00:00:00Z"
    for ws, key, ref in (
        (workspace, "checkout", "ours"),
        (other_workspace, "theirs", "their-survey"),
    ):
        feedback_ingest(
            workspace=ws,
            items=[{"touchpoint_key": key, "occurred_at": now, "nps": 3, "customer_ref": ref}] * 3,
        )
    # Their integer ids far from ours: a URL naming one of their tokens must not name one of our
    # memberships by coincidence of numbers.
    their_token = ApiToken.issue(workspace=other_workspace, name="Globex token", role=Role.VIEWER)[
        0
    ]
    ApiToken.objects.filter(pk=their_token.pk).update(id=900_001)
    outsider.memberships.update(id=900_002)
    theirs = {
        "journey": foreign.journey,
        "stage": foreign.stage,
        "touchpoint": foreign.touchpoint,
        "moment": foreign.moment,
        "import": ImportJob.objects.create(
            workspace=other_workspace, filename="their-survey.csv", format="csv"
        ),
        "token": ApiToken.objects.get(pk=900_001),
        "membership": outsider.memberships.get(),
        "share_link": ShareLink.issue(journey=foreign.journey)[0],
    }
    ours = {
        "journey": objs.journey,
        "stage": objs.stage,
        "touchpoint": objs.touchpoint,
        "moment": objs.moment,
        "import": ImportJob.objects.create(workspace=workspace, filename="ours.csv", format="csv"),
        "token": ApiToken.issue(workspace=workspace, name="Acme token", role=Role.VIEWER)[0],
        "membership": owner.memberships.get(),
        "share_link": ShareLink.issue(journey=objs.journey)[0],
    }
    return ours, theirs


def values_for(kind: str, objects: dict) -> list:
    """The objects' ids a URL parameter of this converter can carry."""
    ids = [obj.pk for obj in objects.values()]
    if kind == "IntConverter":
        return [pk for pk in ids if isinstance(pk, int)]
    if kind == "UUIDConverter":
        return [pk for pk in ids if isinstance(pk, uuid.UUID)]
    return ids


@pytest.mark.parametrize(("name", "kwargs", "kinds"), WITH_IDS, ids=[r[0] for r in WITH_IDS])
def test_another_workspaces_objects_are_404_everywhere(world, owner, name, kwargs, kinds):
    _, theirs = world
    browser = signed_in(owner)
    before = snapshot()
    for value in values_for(kinds.get(kwargs[0], ""), theirs):
        url = url_for(name, dict.fromkeys(kwargs, value))
        for method in METHODS:
            response = getattr(browser, method)(url, {}, content_type="application/json")
            assert response.status_code in (404, 405), (method, url, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "kwargs", "kinds"), ROUTES, ids=[r[0] for r in ROUTES])
def test_no_credentials_no_answer(world, name, kwargs, kinds):
    if name in PUBLIC:
        return
    ours, _ = world
    values = values_for(kinds.get(kwargs[0], ""), ours) if kwargs else [None]
    anonymous = Client()
    for value in values[:1]:
        url = url_for(name, dict.fromkeys(kwargs, value))
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code in (302, 405), (method, url)
                if response.status_code == 302:
                    assert response["Location"].startswith("/login/"), (method, url)


@pytest.mark.parametrize(("name", "kwargs", "kinds"), WITHOUT_IDS, ids=[r[0] for r in WITHOUT_IDS])
def test_no_list_shows_another_workspace(world, owner, name, kwargs, kinds):
    ours, theirs = world
    browser = signed_in(owner)
    token = ApiToken.issue(workspace=ours["journey"].workspace, name="walk", role=Role.MANAGER)[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    base = url_for(name, {})
    queries = ["", f"?journey={theirs['journey'].pk}", f"?touchpoint={theirs['touchpoint'].pk}"]
    for client in (browser, api):
        for query in queries:
            response = client.get(base + query)
            if response.status_code != 200 or response.get("Content-Type", "").startswith("image"):
                continue
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            # Their ids count too, but not where the page repeats its own query (a "next" link).
            ids = () if query else tuple(str(obj.pk) for obj in theirs.values())
            leaked = [word for word in FOREIGN_WORDS + ids if word in text]
            assert not leaked, (base + query, leaked)


def test_the_walk_covers_every_kind_of_url():
    names = {name for name, _, _ in ROUTES}
    assert {"maps:map", "maps:touchpoint-move", "journey-map", "feedback-list"} <= names
    assert len(WITH_IDS) >= 20
    assert not [n for n in names if re.match(r"admin:", n)]


def test_a_member_of_both_workspaces_is_not_an_outsider(world, workspace, other_workspace):
    # The walk's 404s come from workspace scoping, not from a user who reaches nothing.
    both = make_member("bea", workspace, Role.MANAGER)
    both.memberships.create(workspace=other_workspace, role=Role.VIEWER)
    _, theirs = world
    response = signed_in(both).get(url_for("maps:map", {"pk": theirs["journey"].pk}))
    assert response.status_code == 200
