"""A client generated from the live schema by openapi-python-client works against the live
server: it writes JSON, sends a feedback array, uploads an import, and keeps the error bodies."""

import importlib
import io
import json
import subprocess
import sys
import urllib.request

import pytest

from feedback.models import Feedback
from tests.processes import BIN
from workspaces.models import ApiToken, Role

pytestmark = pytest.mark.django_db(transaction=True)
CONFIG = "post_hooks: []\npackage_name_override: truthmap_client\n"


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    """The truthmap_client package, generated from the live server's schema."""
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as response:
        (tmp_path / "schema.json").write_bytes(response.read())
    (tmp_path / "config.yaml").write_text(CONFIG)
    run = subprocess.run(
        [BIN / "openapi-python-client", "generate", "--path", "schema.json"]
        + ["--config", "config.yaml", "--meta", "none", "--output-path", "truthmap_client"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    # The generator understood every operation and schema: it skips what it cannot, warning.
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("truthmap_client")
    for name in [name for name in sys.modules if name.startswith("truthmap_client")]:
        del sys.modules[name]


def test_a_generated_client_works(generated, live_server, workspace):
    models = importlib.import_module("truthmap_client.models")
    types = importlib.import_module("truthmap_client.types")
    calls = {
        name: importlib.import_module(f"truthmap_client.api.v1.{name}")
        for name in (
            "v1_journeys_create",
            "v1_journeys_partial_update",
            "v1_touchpoints_create",
            "v1_feedback_create",
            "v1_imports_create",
        )
    }
    _, raw = ApiToken.issue(workspace=workspace, name="generated", role=Role.MANAGER)
    # Closed at the end: a kept-alive connection holds a server thread and its database session.
    with generated.AuthenticatedClient(base_url=live_server.url, token=raw) as client:
        stages = [
            models.StageInputRequest(name="Hear of us", kind=models.KindEnum.DISCOVERY),
            models.StageInputRequest(name="Sign up"),
        ]
        journey = calls["v1_journeys_create"].sync(
            client=client, body=models.JourneyRequest(name="Onboarding", stages=stages)
        )
        assert isinstance(journey, models.Journey) and journey.version == 1

        map_ = importlib.import_module("truthmap_client.api.v1.v1_journeys_map_retrieve").sync(
            id=journey.id, client=client
        )
        assert [stage.name for stage in map_.stages] == ["Hear of us", "Sign up"]
        touchpoint = calls["v1_touchpoints_create"].sync(
            client=client,
            body=models.TouchpointRequest(
                stage=map_.stages[0].id,
                key="welcome",
                name="Welcome",
                channel=models.ChannelEnum.EMAIL,
            ),
        )
        assert touchpoint.key == "welcome"

        items = [
            models.FeedbackItemRequest(
                touchpoint_key="welcome",
                occurred_at=journey.created_at,
                nps=score,
                external_id=f"g-{score}",
            )
            for score in (3, 9)
        ]
        result = calls["v1_feedback_create"].sync_detailed(client=client, body=items)
        assert result.status_code == 202
        assert (result.parsed.accepted, result.parsed.rejected) == (2, [])
        assert Feedback.objects.count() == 2

        upload = types.File(
            payload=io.BytesIO(b"touchpoint_key,occurred_at,nps\nwelcome,2026-01-01T00:00:00Z,7\n"),
            file_name="survey.csv",
        )
        job = calls["v1_imports_create"].sync_detailed(
            client=client, body=models.ImportCreateRequest(file=upload)
        )
        assert job.status_code == 202 and job.parsed.status in ("queued", "running", "done")

        # Error bodies survive: a stale version is a Conflict, a bad field a ValidationError.
        rename = calls["v1_journeys_partial_update"]
        fresh = rename.sync(
            id=journey.id, client=client, body=models.PatchedJourneyRequest(version=1)
        )
        assert fresh.version == 2
        stale = rename.sync_detailed(
            id=journey.id, client=client, body=models.PatchedJourneyRequest(name="X", version=1)
        )
        assert stale.status_code == 409
        assert isinstance(stale.parsed, models.Conflict) and stale.parsed.version == 2
        bad = calls["v1_touchpoints_create"].sync_detailed(
            client=client,
            body=models.TouchpointRequest(stage=map_.stages[0].id, name="Dup", key="welcome"),
        )
        assert bad.status_code == 400
        assert isinstance(bad.parsed, models.ValidationError)
        assert bad.parsed.additional_properties == json.loads(bad.content)
        assert "key" in bad.parsed.additional_properties
