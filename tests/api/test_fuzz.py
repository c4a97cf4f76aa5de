"""Schemathesis against the live schema: any request the schema allows, and many it does not,
meets no server error and no answer that breaks the schema. Authenticated, with the ids of our
objects and of another workspace's in play."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from config.wsgi import application
from workspaces.models import ApiToken, Role

# The contract's checks: no server error, and every answer as the schema says (status, content
# type, headers, body), unknown methods refused, no answer without credentials. Whether a value
# the schema allows names an object that exists is the server's to judge (a 400 is fine).
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.unsupported_method,
    openapi_checks.ignored_auth,
]
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture
def known_ids(objs, foreign):
    """Every id a path may name: ours and the other workspace's."""
    return [
        str(obj.pk)
        for side in (objs, foreign)
        for obj in (side.journey, side.stage, side.touchpoint, side.moment)
    ]


@pytest.fixture
def bearer(workspace) -> dict:
    _, raw = ApiToken.issue(workspace=workspace, name="fuzz", role=Role.MANAGER)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def in_process_requests():
    """Requests to the WSGI app inside the test's transaction, as Django's test client makes them:
    without closing the database connection when a request ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_requests")
@schema.parametrize()
@FUZZ
def test_the_api_holds_its_contract(case, known_ids, bearer):
    for name, value in list((case.path_parameters or {}).items()):
        case.path_parameters[name] = known_ids[hash(str(value)) % len(known_ids)]
    case.call_and_validate(headers=bearer, checks=CHECKS)
