"""Journey documents (docs/api.md, "Journey documents"): GET journeys/{id}/export/ writes the
journey with no ids and no feedback; POST journeys/import/ makes a new journey whose export
equals the document, in this workspace or another; a document is checked strictly, each problem
named by where it is, and never answers 500."""

import copy
import json

import pytest

from journeys.models import Journey
from maps.documents import MAX_BYTES
from moments.models import Moment
from tests.api.helpers import snapshot
from touchpoints.models import Touchpoint
from touchpoints.services import touchpoint_create
from workspaces.models import Membership, Role

IMPORT = "/api/v1/journeys/import/"


LANES = [
    {"id": "thoughts", "title": "Customer thoughts"},
    {"id": "channel"},
    {"id": "kpis", "title": "KPIs"},
    {"id": "opportunities"},
]


def document(**journey) -> dict:
    """A document with two stages, three touchpoints, two moments and two custom lanes."""
    return {
        "truthmap": 1,
        "journey": {
            "name": "Onboarding",
            "persona": "New subscriber",
            "persona_goals": "Get started in a minute.",
            "persona_frustrations": "Forms that ask twice.",
            "description": "Day 1",
            "lanes": copy.deepcopy(LANES),
        }
        | journey,
        "stages": [
            {
                "name": "Sign-up",
                "kind": "purchase",
                "touchpoints": [
                    {
                        "key": "signup-form",
                        "name": "Sign-up form",
                        "description": "Email and password.",
                        "channel": "web",
                        "owner": "Growth",
                        "expected_emotion": 1,
                        "pain_points": "Too many fields.",
                        "opportunities": "Sign in with Google.",
                        "lane_values": {"thoughts": "Is it free?", "kpis": "Sign-up rate 4%"},
                        "moments": [
                            {"type": "zmot", "impact": 2, "rationale": "Reviews first."},
                            {"type": "fmot", "impact": 5, "rationale": "First look."},
                        ],
                    },
                    {
                        "key": "welcome-email",
                        "name": "Welcome email",
                        "description": "",
                        "channel": "email",
                        "owner": "",
                        "expected_emotion": -2,
                        "pain_points": "",
                        "opportunities": "",
                        "lane_values": {},
                        "moments": [],
                    },
                ],
            },
            {"name": "Empty stage", "kind": "custom", "touchpoints": []},
            {
                "name": "First use",
                "kind": "experience",
                "touchpoints": [
                    {
                        "key": "setup",
                        "name": "Setup wizard: step 1 # of 3; done",
                        "description": "Ünïcode — ✓\nand a second line",
                        "channel": "mobile_app",
                        "owner": "Product",
                        "expected_emotion": 0,
                        "pain_points": "",
                        "opportunities": "",
                        "lane_values": {},
                        "moments": [],
                    }
                ],
            },
        ],
    }


def imported(client, body, **params) -> Journey:
    response = client.post(IMPORT, body, format="json", **params)
    assert response.status_code == 201, response.content
    return Journey.objects.get(pk=response.json()["id"])


def export(client, journey) -> dict:
    response = client.get(f"/api/v1/journeys/{journey.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_an_import_exports_as_the_same_document(api, workspace):
    journey = imported(api, document())
    assert journey.workspace == workspace
    assert export(api, journey) == document()
    # The positions run 0, 1, 2… and the moments were tagged by the importer.
    assert list(journey.stages.values_list("position", flat=True)) == [0, 1, 2]
    assert set(Moment.objects.values_list("tagged_by", flat=True)) == {"alice"}


def test_the_export_has_no_ids_and_no_feedback(api, journey, touchpoint, moment):
    body = export(api, journey)
    assert body["journey"] == {
        "name": "Online purchase",
        "persona": "Shopper",
        "persona_goals": "",
        "persona_frustrations": "",
        "description": "",
        "lanes": [{"id": "channel"}, {"id": "pain_points"}, {"id": "opportunities"}],
    }
    assert [stage["name"] for stage in body["stages"]][:3] == [
        "Discovery",
        "Consideration",
        "Purchase",
    ]
    assert body["stages"][2]["touchpoints"] == [
        {
            "key": "checkout",
            "name": "Checkout",
            "description": "",
            "channel": "web",
            "owner": "",
            "expected_emotion": 0,
            "pain_points": "",
            "opportunities": "",
            "lane_values": {},
            "moments": [{"type": "fmot", "impact": 4, "rationale": ""}],
        }
    ]
    assert str(touchpoint.pk) not in str(body) and str(journey.pk) not in str(body)


def test_a_round_trip_to_another_workspace(
    api, outsider_api, journey, touchpoint, moment, delivery
):
    original = export(api, journey)
    copy_ = imported(outsider_api, original)
    assert copy_.workspace.slug == "globex"
    assert export(outsider_api, copy_) == original
    # and back again into the first workspace, where the keys are taken now
    again = export(api, imported(api, original))
    keys = [tp["key"] for stage in again["stages"] for tp in stage["touchpoints"]]
    assert keys == ["checkout-2", "delivery-2"]
    for stage in again["stages"]:
        for touchpoint_ in stage["touchpoints"]:
            touchpoint_["key"] = touchpoint_["key"].removesuffix("-2")
    assert again == original


def test_taken_keys_get_the_next_free_suffix(api, stages):
    touchpoint_create(stage=stages[0], name="Sign-up", key="signup-form")
    touchpoint_create(stage=stages[0], name="Sign-up 2", key="signup-form-2")
    body = document()
    body["stages"][0]["touchpoints"][1]["key"] = "x" * 100
    touchpoint_create(stage=stages[0], name="Long", key="x" * 100)
    del body["stages"][2]["touchpoints"][0]["key"]  # made from the name
    journey = imported(api, body)
    keys = list(journey.touchpoints.order_by("stage__position", "position").values_list("key"))
    assert keys == [("signup-form-3",), ("x" * 98 + "-2",), ("setup-wizard-step-1-of-3-done",)]


def test_a_hand_written_document_may_leave_out_what_has_a_default(api):
    body = {
        "truthmap": 1,
        "journey": {"name": "Minimal"},
        "stages": [{"name": "Only", "touchpoints": [{"name": "Just a name"}]}],
    }
    exported = export(api, imported(api, body))
    assert exported["journey"] == {
        "name": "Minimal",
        "persona": "",
        "persona_goals": "",
        "persona_frustrations": "",
        "description": "",
        "lanes": [{"id": "channel"}, {"id": "pain_points"}, {"id": "opportunities"}],
    }
    assert exported["stages"] == [
        {
            "name": "Only",
            "kind": "custom",
            "touchpoints": [
                {
                    "key": "just-a-name",
                    "name": "Just a name",
                    "description": "",
                    "channel": "other",
                    "owner": "",
                    "expected_emotion": 0,
                    "pain_points": "",
                    "opportunities": "",
                    "lane_values": {},
                    "moments": [],
                }
            ],
        }
    ]


def changed(path: str, value):
    """document() with the value at `path` (a.b[0].c) replaced; `...` removes it."""
    body = document()
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    target = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return body


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (changed("stages[2].touchpoints[0].channel", "fax"), "stages[2].touchpoints[0].channel"),
        (changed("truthmap", 2), "truthmap"),
        (changed("truthmap", True), "truthmap"),
        (changed("truthmap", ...), "truthmap"),
        (changed("journey", ...), "journey"),
        (changed("journey.name", ""), "journey.name"),
        (changed("journey.name", "   "), "journey.name"),
        (changed("journey.name", "x" * 201), "journey.name"),
        (changed("journey.name", 7), "journey.name"),
        (changed("journey.persona", None), "journey.persona"),
        (changed("journey.name", "a\x00b"), "journey.name"),
        (changed("journey.color", "red"), "journey.color"),
        (changed("stages", {}), "stages"),
        (changed("stages[1]", "Empty"), "stages[1]"),
        (changed("stages[1].kind", "middle"), "stages[1].kind"),
        (changed("stages[0].touchpoints", None), "stages[0].touchpoints"),
        (changed("stages[0].touchpoints[0].key", "no spaces"), "stages[0].touchpoints[0].key"),
        (changed("stages[0].touchpoints[0].key", ""), "stages[0].touchpoints[0].key"),
        (changed("stages[0].touchpoints[0].key", "x" * 101), "stages[0].touchpoints[0].key"),
        (changed("stages[0].touchpoints[1].key", "signup-form"), "stages[0].touchpoints[1].key"),
        (
            changed("stages[0].touchpoints[0].expected_emotion", 3),
            "stages[0].touchpoints[0].expected_emotion",
        ),
        (
            changed("stages[0].touchpoints[0].expected_emotion", 1.0),
            "stages[0].touchpoints[0].expected_emotion",
        ),
        (
            changed("stages[0].touchpoints[0].expected_emotion", "1"),
            "stages[0].touchpoints[0].expected_emotion",
        ),
        (
            changed("stages[0].touchpoints[0].description", "x" * 10_001),
            "stages[0].touchpoints[0].description",
        ),
        (
            changed("stages[0].touchpoints[0].owner", ["Growth"]),
            "stages[0].touchpoints[0].owner",
        ),
        (
            changed("stages[0].touchpoints[0].moments[1].type", "zmot"),
            "stages[0].touchpoints[0].moments[1].type",
        ),
        (
            changed("stages[0].touchpoints[0].moments[0].impact", 0),
            "stages[0].touchpoints[0].moments[0].impact",
        ),
        (
            changed("stages[0].touchpoints[0].moments[0].tagged_by", "me"),
            "stages[0].touchpoints[0].moments[0].tagged_by",
        ),
        (changed("stages[0].touchpoints[0].id", 5), "stages[0].touchpoints[0].id"),
        (changed("stages[0].touchpoints[0].na me", 5), "stages[0].touchpoints[0]['na me']"),
        (changed("journey.lanes", {"id": "channel"}), "journey.lanes"),
        (changed("journey.lanes[0].title", ""), "journey.lanes"),
        (changed("journey.lanes[1].id", "thoughts"), "journey.lanes"),
        (changed("journey.lanes[3].id", "Not A Slug"), "journey.lanes"),
        (changed("journey.lanes", [{"id": "channel"}] * 13), "journey.lanes"),
        (
            changed("stages[0].touchpoints[0].lane_values.unknown", "?"),
            "stages[0].touchpoints[0].lane_values",
        ),
        (
            changed("stages[0].touchpoints[0].lane_values.channel", "a built-in lane"),
            "stages[0].touchpoints[0].lane_values",
        ),
        (
            changed("stages[0].touchpoints[0].lane_values.kpis", "x" * 2_001),
            "stages[0].touchpoints[0].lane_values",  # "kpis: at most 2000 characters; …"
        ),
        (
            changed("stages[0].touchpoints[0].lane_values", []),
            "stages[0].touchpoints[0].lane_values",
        ),
        ([], "non_field_errors"),
        ("a string", "non_field_errors"),
        (None, "non_field_errors"),
    ],
)
def test_a_bad_document_is_a_400_naming_where(api, journey, body, where):
    before = snapshot()
    response = api.post(IMPORT, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert where in errors, errors
    assert snapshot() == before


def test_a_lane_text_too_long_is_told_once(api):
    body = changed("stages[0].touchpoints[0].lane_values.kpis", "x" * 2_001)
    errors = api.post(IMPORT, json.dumps(body), content_type="application/json").json()
    assert errors == {
        "stages[0].touchpoints[0].lane_values": ["kpis: at most 2000 characters; this has 2001."]
    }


def test_limits(api):
    many_stages = document()
    many_stages["stages"] = [{"name": f"S{i}"} for i in range(201)]
    response = api.post(IMPORT, many_stages, format="json")
    assert response.status_code == 400 and "stages" in response.json()

    many_touchpoints = document()
    many_touchpoints["stages"] = [
        {"name": f"S{s}", "touchpoints": [{"name": f"T{s}-{t}"} for t in range(1_000)]}
        for s in range(3)
    ]
    response = api.post(IMPORT, many_touchpoints, format="json")
    assert response.status_code == 400
    assert response.json() == {"stages": ["At most 2000 touchpoints; this has 3000."]}

    huge = changed("journey.description", "x" * MAX_BYTES)
    response = api.post(IMPORT, huge, format="json")
    assert response.status_code == 413
    assert not Journey.objects.exists()


def test_the_largest_journey_imports_in_a_few_queries(api, django_assert_max_num_queries):
    body = document()
    body["stages"] = [
        {
            "name": f"Stage {s}",
            "touchpoints": [
                {"name": f"Touchpoint {s}-{t}", "moments": [{"type": "smot"}]} for t in range(10)
            ],
        }
        for s in range(200)
    ]
    with django_assert_max_num_queries(20):
        journey = imported(api, body)
    assert Touchpoint.objects.filter(journey=journey).count() == 2_000
    assert Moment.objects.filter(touchpoint__journey=journey).count() == 2_000


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[" * 5_000 + b"]" * 5_000,
        b'{"truthmap": 1e400}',
        b'{"truthmap": NaN}',
        b'"\\ud800"',
        b"\xff\xfe",
        b"",
    ],
)
def test_a_body_that_is_not_json_is_a_400(api, body):
    response = api.post(IMPORT, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()


def test_only_json_is_taken(api):
    response = api.post(IMPORT, "journey\n", content_type="text/plain")
    assert response.status_code == 415


def test_importing_needs_the_manager_role_exporting_any(api_as, journey):
    for role in ("viewer", "analyst"):
        response = api_as(role).post(IMPORT, document(), format="json")
        assert response.status_code == 403, role
        assert export(api_as(role), journey)["journey"]["name"] == "Online purchase"
    assert imported(api_as("manager"), document()).workspace.slug == "acme"


def test_another_workspace_is_not_there(outsider_api, journey):
    response = outsider_api.get(f"/api/v1/journeys/{journey.pk}/export/")
    assert response.status_code == 404
    response = outsider_api.post(IMPORT + "?workspace=acme", document(), format="json")
    assert response.status_code == 400 and "workspace" in response.json()


def test_a_manager_of_several_workspaces_says_which(api, owner, workspace, other_workspace):
    Membership.objects.create(user=owner, workspace=other_workspace, role=Role.MANAGER)
    response = api.post(IMPORT, document(), format="json")
    assert response.status_code == 400 and "workspace" in response.json()
    assert imported(api, document(), QUERY_STRING="workspace=globex").workspace == other_workspace


def test_unknown_journey_id(api):
    response = api.get("/api/v1/journeys/00000000-0000-0000-0000-000000000000/export/")
    assert response.status_code == 404


def test_the_document_is_not_changed_by_the_import(api):
    body = document()
    sent = copy.deepcopy(body)
    imported(api, body)
    assert body == sent
