"""The options of an upload and of saved import profiles, through the API: validated alike, a
NUL is a 400, a profile's options apply unless the upload gives its own; a mapping naming what
the file lacks fails the job at once; the rejected rows answer Accept: text/csv; the tables are
analysed after an import."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from feedback import ingestion
from feedback.imports import import_run
from feedback.models import Feedback, ImportJob, ImportProfile
from tests.conftest import make_member, token_client
from workspaces.models import Role

CSV = (
    "Response,When,Score,Where\n"
    "r1,2026-11-20 10:00:00,9,checkout\n"
    "r2,2026-11-20 11:00:00,eleven,checkout\n"
)
MAPPING = {"external_id": "Response", "occurred_at": "When", "nps": "Score"}
MAPPING_WITH_KEY = {**MAPPING, "touchpoint_key": "Where"}


def upload(api, content: str | bytes = CSV, name: str = "survey.csv", **options):
    content = content.encode() if isinstance(content, str) else content
    data = {"file": SimpleUploadedFile(name, content)}
    data.update({k: json.dumps(v) if isinstance(v, dict) else v for k, v in options.items()})
    return api.post("/api/v1/imports/", data, format="multipart")


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"mapping": {"nps": "Sco\x00re"}}, "mapping", "Null characters are not allowed."),
        ({"mapping": {"nps": "\ud800"}}, "mapping", "Must be valid Unicode text."),
        ({"defaults": {"source": "a\x00"}}, "defaults", "Null characters are not allowed."),
        ({"value_map": {"csat": {"go\x00od": 5}}}, "value_map", "Null characters are not allowed."),
        ({"value_map": {"csat": ["good"]}}, "value_map", "csat: an object of"),
        ({"value_map": {"csat": {"good": [5]}}}, "value_map", "csat: an object of"),
        ({"value_map": {"colour": {}}}, "value_map", "Unknown feedback fields: colour."),
        ({"timezone": "Europe/Ma\x00drid"}, "timezone", "Null characters are not allowed."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone"),
        ({"date_format": "%d\x00%m"}, "date_format", "Null characters are not allowed."),
        ({"date_format": "dd/mm/yyyy"}, "date_format", "a strftime pattern"),
        ({"date_format": "%d/%m/%Q"}, "date_format", "Not a strftime pattern"),
        ({"encoding": "klingon"}, "encoding", "Unknown text encoding 'klingon'."),
        ({"encoding": "base64"}, "encoding", "Unknown text encoding 'base64'."),
        ({"encoding": "utf\x008"}, "encoding", "Null characters are not allowed."),
        ({"delimiter": ";;"}, "delimiter", "One character other than a quote or a newline."),
        ({"delimiter": '"'}, "delimiter", "One character other than a quote or a newline."),
        ({"delimiter": "\x00"}, "delimiter", "Null characters are not allowed."),
        ({"header_rows": "0"}, "header_rows", "greater than or equal to 1"),
        ({"decimal": ";"}, "decimal", "is not a valid choice"),
        ({"format": "xlsx"}, "format", "is not a valid choice"),
        ({"profile": "nope"}, "profile", "No import profile named 'nope' here."),
        ({"mapping": "[1]"}, "mapping", "Must be a JSON object."),
    ],
)
def test_it_refuses_bad_options(api, touchpoint, options, field, message):
    response = upload(api, **options)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]
    assert not ImportJob.objects.exists()


def test_it_takes_and_reports_every_option(api, touchpoint):
    response = upload(
        api,
        CSV.replace(",", "|").encode("cp1252"),
        name="export.dat",
        format="csv",
        delimiter="pipe",
        encoding="Latin-1",
        header_rows="1",
        mapping=MAPPING,
        defaults={"touchpoint_key": "checkout"},
        value_map={"nps": {"eleven": 10}},
        date_format="%Y-%m-%d %H:%M:%S",
        timezone="Europe/Madrid",
        decimal=",",
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert {name: job[name] for name in ("format", "delimiter", "encoding", "header_rows")} == {
        "format": "csv",
        "delimiter": "|",
        "encoding": "iso8859-1",
        "header_rows": 1,
    }
    assert job["detected"] == {}
    assert (job["date_format"], job["timezone"], job["decimal"]) == (
        "%Y-%m-%d %H:%M:%S",
        "Europe/Madrid",
        ",",
    )
    import_run(job["id"])
    assert sorted(Feedback.objects.values_list("external_id", "nps")) == [("r1", 9), ("r2", 10)]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("survey.csv", CSV, "Column 'Q_NPS' (mapped to nps) is not in the file."),
        (
            "survey.tsv",
            CSV.replace(",", "\t"),
            "Column 'Q_NPS' (mapped to nps) is not in the file.",
        ),
        (
            "events.jsonl",
            '{"Score": 9}\n{"Score": 7, "rating": {"score": 3}}\n',
            "Key 'Q_NPS' (mapped to nps) is in none of the first 2 records of the file.",
        ),
        (
            "chats.json",
            '[{"Score": 9}, {"rating": {"value": 3}}]',
            "Key 'Q_NPS' (mapped to nps) is in none of the first 2 records of the file.",
        ),
    ],
)
def test_a_mapping_naming_what_the_file_lacks_fails_at_once(api, touchpoint, name, content, error):
    response = upload(api, content, name=name, mapping={"nps": "Q_NPS"})
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["error"]) == ("failed", error)
    assert job["finished_at"] is not None


def test_a_dotted_mapping_is_checked_in_json_too(api, touchpoint):
    content = '[{"rating": {"score": 4}, "ts": "2026-11-20T10:00:00Z"}]'
    ok = upload(api, content, name="c.json", mapping={"csat": "rating.score", "occurred_at": "ts"})
    assert ok.json()["status"] == "queued"
    bad = upload(api, content, name="c.json", mapping={"csat": "rating.stars"})
    assert bad.json()["error"].startswith("Key 'rating.stars' (mapped to csat) is in none")


def test_a_json_file_that_is_no_array_fails_at_once(api, touchpoint):
    job = upload(api, '{"a": 1}', name="c.json", format="json").json()
    assert job["status"] == "failed"
    assert (
        job["error"]
        == "A JSON file must hold one array of objects; this one starts with '{\"a\": 1}'."
    )


def test_the_rejected_rows_answer_accept_text_csv(api, touchpoint):
    job = upload(api, mapping=MAPPING_WITH_KEY, timezone="UTC").json()
    import_run(job["id"])
    url = f"/api/v1/imports/{job['id']}/rejected"
    expected = (
        "Response,When,Score,Where,_row,_errors\r\n"
        "r2,2026-11-20 11:00:00,eleven,checkout,3,Score (nps): A whole number 0–10 is required.\r\n"
    )
    for response in (
        api.get(f"{url}/", HTTP_ACCEPT="text/csv"),
        api.get(f"{url}/"),
        api.get(f"{url}/?format=csv"),
        api.get(f"{url}/", HTTP_ACCEPT="text/csv;q=0.9, application/json;q=0.8"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert b"".join(response.streaming_content).decode() == expected


def test_a_foreign_download_is_a_404_whatever_it_accepts(outsider_api, api, touchpoint):
    job = upload(api, mapping=MAPPING_WITH_KEY).json()
    response = outsider_api.get(f"/api/v1/imports/{job['id']}/rejected/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 404


def test_the_tables_are_analysed_after_an_import(api, touchpoint):
    rows = "".join(f"a{i},2026-11-20 10:00:00,9,checkout\n" for i in range(7))
    job = upload(
        api, "Response,When,Score,Where\n" + rows, mapping=MAPPING_WITH_KEY, timezone="UTC"
    )
    import_run(job.json()["id"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'feedback_feedback'")
        # ANALYZE counts every row of a table this small; before it, reltuples is -1 or stale.
        assert cursor.fetchone()[0] == Feedback.objects.count() == 7


@pytest.mark.parametrize(
    ("believed", "changed", "grown"),
    [
        (-1, 4_999, False),  # never analysed, but fewer rows than ANALYZE_MIN_ROWS (5,000)
        (-1, 5_000, True),
        (0, 50_000, True),
        (100_000, 99_999, False),  # 99,999 < 1.0 × 100,000
        (100_000, 100_000, True),
        (1_000_000, 50_000, False),  # one import batch into a big table
    ],
)
def test_the_feedback_tables_are_analysed_once_they_have_doubled(believed, changed, grown):
    assert ingestion.has_grown(believed=max(believed, 0), changed=changed) is grown


# Profiles


PROFILE = {
    "name": "Qualtrics NPS",
    "mapping": json.dumps(MAPPING),
    "defaults": json.dumps({"touchpoint_key": "checkout", "source": "qualtrics"}),
    "timezone": "Europe/Madrid",
}


def test_an_analyst_saves_a_profile_and_a_viewer_reads_it(api_as, workspace):
    analyst = api_as(Role.ANALYST)
    created = analyst.post("/api/v1/import-profiles/", PROFILE, format="json")
    assert created.status_code == 201, created.content
    profile = created.json()
    assert profile["workspace"] == "acme"
    assert profile["name"] == "Qualtrics NPS"
    assert profile["mapping"] == MAPPING
    assert profile["timezone"] == "Europe/Madrid"
    assert "encoding" not in profile and "date_format" not in profile  # not saved: not sent
    assert profile["created_by"] == "token:analyst token"

    viewer = api_as(Role.VIEWER)
    listed = viewer.get("/api/v1/import-profiles/").json()["results"]
    assert [item["name"] for item in listed] == ["Qualtrics NPS"]
    url = f"/api/v1/import-profiles/{profile['id']}/"
    assert viewer.get(url).json()["mapping"] == MAPPING
    assert viewer.patch(url, {"timezone": "UTC"}, format="json").status_code == 403
    assert viewer.delete(url).status_code == 403
    assert (
        viewer.post("/api/v1/import-profiles/", {**PROFILE, "name": "x"}, format="json").status_code
        == 403
    )

    changed = analyst.patch(url, {"name": "NPS", "encoding": "cp1252"}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["encoding"]) == ("NPS", "cp1252")
    assert changed.json()["mapping"] == MAPPING  # left as it was
    assert analyst.delete(url).status_code == 204
    assert not ImportProfile.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**PROFILE, "encoding": "klingon"}, "encoding"),
        ({**PROFILE, "mapping": '{"nps": "a\\u0000"}'}, "mapping"),
        ({**PROFILE, "name": ""}, "name"),
        ({**PROFILE, "name": "N\x00PS"}, "name"),
        ({**PROFILE, "date_format": "yesterday"}, "date_format"),
    ],
)
def test_a_profile_is_validated_like_an_upload(api, workspace, data, field):
    response = api.post("/api/v1/import-profiles/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_profile_name_is_unique_in_its_workspace(api, outsider_api, workspace):
    assert api.post("/api/v1/import-profiles/", PROFILE, format="json").status_code == 201
    again = api.post("/api/v1/import-profiles/", PROFILE, format="json")
    assert again.status_code == 400
    assert again.json() == {"name": ["A profile of this name exists in the workspace."]}
    # Another workspace may use the name; and does not see this one.
    assert outsider_api.post("/api/v1/import-profiles/", PROFILE, format="json").status_code == 201
    profile = ImportProfile.objects.get(workspace=workspace)
    assert outsider_api.get(f"/api/v1/import-profiles/{profile.pk}/").status_code == 404
    assert (
        outsider_api.patch(f"/api/v1/import-profiles/{profile.pk}/", {}, format="json").status_code
        == 404
    )
    assert len(outsider_api.get("/api/v1/import-profiles/").json()["results"]) == 1


def test_an_upload_uses_a_profile_and_its_own_options_win(api, touchpoint):
    api.post("/api/v1/import-profiles/", PROFILE, format="json")
    job = upload(api, profile="Qualtrics NPS", timezone="UTC").json()
    assert job["profile"] == "Qualtrics NPS"
    assert job["mapping"] == MAPPING
    assert job["timezone"] == "UTC"
    import_run(job["id"])
    feedback = Feedback.objects.get()
    assert (feedback.external_id, feedback.source) == ("r1", "qualtrics")
    assert feedback.occurred_at.isoformat() == "2026-11-20T10:00:00+00:00"


def test_a_profile_of_another_workspace_cannot_be_used(outsider_api, api, touchpoint, workspace):
    api.post("/api/v1/import-profiles/", PROFILE, format="json")
    response = upload(outsider_api, profile="Qualtrics NPS")
    assert response.status_code == 400
    assert list(response.json()) == ["profile"]


def test_a_profile_needs_a_workspace_the_caller_writes_to(workspace, other_workspace):
    member = make_member("multi", workspace, Role.ANALYST)
    from workspaces.models import Membership

    Membership.objects.create(user=member, workspace=other_workspace, role=Role.ANALYST)
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(member)
    response = client.post("/api/v1/import-profiles/", PROFILE, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["workspace"]
    created = client.post(
        "/api/v1/import-profiles/", {**PROFILE, "workspace": "globex"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["workspace"] == "globex"
    assert (
        token_client(workspace, Role.VIEWER).get("/api/v1/import-profiles/").json()["results"] == []
    )


@pytest.mark.parametrize("path", ["/api/v1/imports/", "/api/v1/import-profiles/"])
def test_a_nul_in_the_workspace_slug_is_a_400(api, touchpoint, path):
    if path.endswith("imports/"):
        data = {"file": SimpleUploadedFile("f.csv", CSV.encode()), "workspace": "ac\x00me"}
        response = api.post(path, data, format="multipart")
    else:  # profiles are JSON, like every write but an upload
        response = api.post(path, {"name": "p", "workspace": "ac\x00me"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["workspace"]
