"""The import page's preview (POST /imports/preview/, the form as htmx posts it on each change):
how each real export is read, the mapping suggested, and its first rows as they would be
stored; bad files and options answered with a message; nothing stored; roles and isolation;
and the import that saves its options as a profile."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback.imports import import_run
from feedback.models import Feedback, ImportChunk, ImportJob, ImportProfile
from tests.feedback import export_files as files
from touchpoints.services import touchpoint_create

PREVIEW = "/imports/preview/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def support(stages):
    return touchpoint_create(stage=stages[4], name="Support", key="support", channel="phone")


def form(name: str, content: bytes, **fields) -> dict:
    data = {"file": SimpleUploadedFile(name, content), "suggest": "on"}
    data.update(fields)
    return data


def preview(client, name: str, content: bytes, **fields):
    return client.post(PREVIEW, form(name, content, **fields), **HTMX)


def selected(page: str) -> dict[str, str]:
    """{field: column} as the mapping's selects show it."""
    mapping = {}
    for name, body in re.findall(
        r'<select id="map-\w+" name="map_(\w+)">(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        if chosen and chosen.group(1):
            mapping[name] = chosen.group(1)
    return mapping


def rows(page: str) -> list[list[str]]:
    """The preview table's cells, row by row, as text."""
    body = page.split('<table class="preview-table">')[1].split("</table>")[0]
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>")[1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return found


def header(page: str) -> list[str]:
    head = page.split('<table class="preview-table">')[1].split("</thead>")[0]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", head)]


def test_a_qualtrics_export(analyst_client, touchpoint):
    response = preview(
        analyst_client, "NPS_Survey.csv", files.qualtrics(), touchpoint_key="checkout"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="import-preview"')
    assert "<html" not in page
    assert 'format <code>CSV</code> <span class="muted">(detected)</span>' in page
    assert 'encoding <code>utf-8-sig</code> <span class="muted">(detected)</span>' in page
    assert 'delimiter <code>,</code> <span class="muted">(detected)</span>' in page
    assert '3 header rows <span class="muted">(detected)</span>' in page
    assert "time zone America/Los_Angeles" in page
    assert selected(page) == {
        "external_id": "ResponseId",
        "occurred_at": "EndDate",
        "customer_ref": "ExternalReference",
        "nps": "Q1",
        "comment": "Q2",
    }
    assert page.count('<span class="map-status found">suggested</span>') == 5
    assert header(page) == [
        "Line",
        "External ID",
        "Touchpoint key",
        "Date and time",
        "Customer",
        "NPS (0–10)",
        "Sentiment (−1 to 1)",
        "Comment",
    ]
    assert rows(page) == [
        # November: Pacific standard time, 14:05 + 8 h = 22:05 UTC, the zone pages show.
        ["4", "R_2aXyZ01", "checkout", "11/19/2026 10:05 p.m.", "CUST-1001", "10"]
        + ["— computed from the comment", "Fast, and the driver was kind"],
        # June: Pacific daylight time, 10:00 + 7 h.
        ["5", "R_3bQwE02", "checkout", "06/15/2026 5 p.m.", "CUST-1002", "3"]
        + ["— computed from the comment", "Paid twice, no refund yet"],
        ["6", "rejected Give at least one of nps, csat, ces, sentiment, outcome, comment."],
    ]
    assert not ImportJob.objects.exists() and not Feedback.objects.exists()
    assert not ImportChunk.objects.exists()


def test_a_surveymonkey_export_with_its_dates_and_value_map(analyst_client, touchpoint):
    satisfaction = {"very satisfied": 5, "neutral": 3, "very dissatisfied": 1}
    response = preview(
        analyst_client,
        "Acme_Checkout_Survey.csv",
        files.surveymonkey(),
        touchpoint_key="checkout",
        date_format="%m/%d/%Y %I:%M:%S %p",
        timezone="America/New_York",
        value_map=json.dumps({"csat": satisfaction}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '2 header rows <span class="muted">(detected)</span>' in page
    assert "time zone America/New_York" in page
    assert selected(page)["csat"] == "How satisfied were you with checkout? - Response"
    assert header(page)[3:7] == ["Date and time", "Customer", "NPS (0–10)", "CSAT (1–5)"]
    assert [row[3:7] for row in rows(page)[:2]] == [
        # Eastern standard time, UTC−5: 09:07:40 AM → 14:07 UTC; "Very satisfied" → 5.
        ["11/18/2026 2:07 p.m.", "ana@example.com", "9", "5"],
        # 12:03:15 AM on the 19th → 05:03 UTC.
        ["11/19/2026 5:03 a.m.", "bo@example.com", "2", "1"],
    ]
    assert rows(page)[2] == [
        "5",
        "rejected End Date (occurred_at) A date-time like 11/20/2026 04:05:09 PM "
        "(%m/%d/%Y %I:%M:%S %p) is required.",
    ]


def test_a_zendesk_export_re_previewed_with_a_mapping_changed(analyst_client, touchpoint, support):
    first = preview(analyst_client, "satisfaction_ratings.csv", files.zendesk()).content.decode()
    mapping = selected(first)
    assert "outcome" not in mapping
    # No touchpoint column and no default yet.
    assert "touchpoint Give touchpoint (id) or touchpoint_key." in rows(first)[0][1]

    # The person maps Status to the outcome, with the values that translate it; the
    # selects' values are sent back, not suggested again.
    fields = {f"map_{name}": column for name, column in mapping.items()}
    value_map = {
        "csat": {"good": 5, "bad": 1, "offered": None},
        "outcome": {"solved": "resolved", "open": "unresolved"},
    }
    response = preview(
        analyst_client,
        "satisfaction_ratings.csv",
        files.zendesk(),
        suggest="",
        map_outcome="Status",
        touchpoint_key="support",
        value_map=json.dumps(value_map),
        **fields,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert selected(page) == {**mapping, "outcome": "Status"}
    assert "map-status found" not in page
    assert header(page) == [
        "Line",
        "External ID",
        "Touchpoint key",
        "Date and time",
        "Customer",
        "CSAT (1–5)",
        "Sentiment (−1 to 1)",
        "Outcome",
        "Comment",
    ]
    found = rows(page)
    assert found[0][1:3] + found[0][4:] == [
        "48121",
        "support",
        "ana@example.com",
        "5",
        "— computed from the comment",
        "resolved",
        "Sam sorted it in minutes, &quot;thank you&quot;",
    ]
    assert found[1][5] == "1" and found[1][7] == "unresolved"  # line 3, "Bad" and "Open"
    # Line 4 starts at the file's 4th line, the comment above spanning two.
    assert [row[0] for row in found] == ["2", "3", "5", "6", "7"]
    assert found[3][5] == "—" and found[3][7] == "resolved"  # "Offered": no rating
    assert found[4] == [
        "7",
        "rejected Status (outcome) &#x27;Pending&#x27; is not one of: abandoned, resolved, "
        "unresolved.",
    ]


def test_a_european_excel_file(analyst_client, touchpoint, support):
    response = preview(
        analyst_client,
        "valoraciones.csv",
        files.european_excel(),
        date_format="%d/%m/%Y %H:%M",
        timezone="Europe/Madrid",
        decimal=",",
        value_map=json.dumps({"channel": {"Atención al cliente": "phone", "tienda online": "web"}}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'encoding <code>cp1252</code> <span class="muted">(detected)</span>' in page
    assert 'delimiter <code>;</code> <span class="muted">(detected)</span>' in page
    assert header(page) == [
        "Line",
        "Touchpoint key",
        "Date and time",
        "Customer",
        "Channel",
        "NPS (0–10)",
        "Sentiment (−1 to 1)",
        "Comment",
    ]
    assert rows(page) == [
        # Madrid in November is UTC+1; "0,75" with a decimal comma.
        ["2", "support", "11/20/2026 9:30 a.m.", "C-001", "phone", "4", "0.75"]
        + ["Muy amable, gracias"],
        ["3", "checkout", "11/20/2026 5:05 p.m.", "C-002", "web", "2", "-0.5"]
        + ["El pago falló dos veces"],
        ["4", "rejected Sentimiento (sentiment) A number from -1 to 1 is required."],
        ["5", "checkout", "11/21/2026 11 a.m.", "C-004", "web", "—"]
        + ["— computed from the comment", "Envío rápido; todo bien"],
    ]


def test_a_json_array_offers_its_key_paths(analyst_client, touchpoint):
    conversations = [
        {"id": "c1", "created_at": "2026-11-20T10:00:00Z", "channel": "chat"}
        | {"customer": {"id": "cus_1"}, "rating": {"score": 4, "remark": "Quick"}},
    ]
    content = json.dumps(conversations).encode()

    response = preview(analyst_client, "conversations.json", content, touchpoint_key="checkout")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'format <code>JSON</code> <span class="muted">(detected)</span>' in page
    assert '<option value="rating.score">rating.score</option>' in page
    assert selected(page) == {
        "external_id": "id",
        "occurred_at": "created_at",
        "customer_ref": "customer.id",
        "channel": "channel",
    }
    # No signal mapped yet: the row says what it lacks.
    assert rows(page) == [
        ["1", "rejected Give at least one of nps, csat, ces, sentiment, outcome, comment."]
    ]

    response = preview(
        analyst_client,
        "conversations.json",
        content,
        suggest="",
        touchpoint_key="checkout",
        map_csat="rating.score",
        map_comment="rating.remark",
        map_occurred_at="created_at",
    )
    assert rows(response.content.decode())[0][:5] == [
        "1",
        "checkout",
        "11/20/2026 10 a.m.",
        "chat",  # a key named like the field is read without a mapping
        "4",
    ]


def test_only_the_first_megabyte_is_sent(analyst_client, touchpoint):
    """The page sends the file's start and its size: a row cut at the end is not shown."""
    content = b"touchpoint_key,occurred_at,nps\n" + b"checkout,2026-11-20T10:00:00Z,9\n" * 2
    cut = content + b"checkout,2026-11-2"

    response = preview(analyst_client, "big.csv", cut, file_size=str(len(cut) * 1000))

    page = response.content.decode()
    assert [row[0] for row in rows(page)] == ["2", "3"]


def test_it_shows_at_most_ten_rows(analyst_client, touchpoint):
    content = b"touchpoint_key,occurred_at,nps\n" + b"checkout,2026-11-20T10:00:00Z,9\n" * 50

    page = preview(analyst_client, "many.csv", content).content.decode()

    assert [row[0] for row in rows(page)] == [str(line) for line in range(2, 12)]


@pytest.mark.parametrize(
    ("name", "content", "fields", "message"),
    [
        ("empty.csv", b"", {}, "The submitted file is empty."),
        ("a.json", b'{"not": "an array"}', {"format": "json"}, "must hold one array of objects"),
        ("a.csv", b"a,b\n1,2\n", {"encoding": "klingon"}, "Unknown text encoding"),
        ("a.csv", b"a,b\n1,2\n", {"value_map": "{nope"}, "Must be a JSON object."),
        ("a.csv", b"a,b\n1,2\n", {"file_size": "-1"}, "greater than or equal to 0"),
    ],
)
def test_a_bad_file_or_option_says_why(analyst_client, touchpoint, name, content, fields, message):
    response = preview(analyst_client, name, content, **fields)

    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="import-preview"')
    assert message in page


def test_a_mapped_column_the_file_lacks_is_named(analyst_client, touchpoint):
    content = b"touchpoint_key,occurred_at,Score\ncheckout,2026-11-20T10:00:00Z,9\n"

    response = preview(analyst_client, "a.csv", content, suggest="", map_nps="Rating")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Column &#x27;Rating&#x27; (mapped to nps) is not in the file." in page
    assert '<option value="Rating" selected>Rating (not in the file)</option>' in page
    assert '<option value="Score">Score</option>' in page


def test_a_profile_gives_its_options_and_mapping(analyst_client, workspace, touchpoint):
    ImportProfile.objects.create(
        workspace=workspace,
        name="Notas",
        options={"mapping": {"csat": "Nota"}, "delimiter": ";", "defaults": {"source": "x"}},
    )
    content = b"Nota;touchpoint_key;Fecha\n4;checkout;2026-11-20T10:00:00Z\n"

    page = preview(analyst_client, "notas.csv", content, profile="Notas").content.decode()

    assert "delimiter <code>;</code></span>" in page  # the profile's, not detected
    # The profile's mapping, and the suggestion for what it leaves unmapped.
    assert selected(page) == {"touchpoint_key": "touchpoint_key", "occurred_at": "Fecha"} | {
        "csat": "Nota"
    }
    assert page.count("map-status found") == 2
    assert rows(page)[0][-2:] == ["4", "x"]


def test_another_workspaces_profile_is_not_usable(analyst_client, other_workspace, touchpoint):
    ImportProfile.objects.create(
        workspace=other_workspace, name="Theirs", options={"defaults": {"source": "theirs"}}
    )
    content = b"touchpoint_key,occurred_at,nps\ncheckout,2026-11-20T10:00:00Z,9\n"

    response = preview(analyst_client, "a.csv", content, profile="Theirs")
    assert response.status_code == 400
    assert "No import profile named &#x27;Theirs&#x27; here." in response.content.decode()

    response = analyst_client.post("/imports/", form("a.csv", content, profile="Theirs"))
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_a_viewer_cannot_preview(viewer_client, touchpoint):
    response = preview(viewer_client, "a.csv", b"a\n1\n")

    assert response.status_code == 403


def test_the_preview_takes_a_fixed_number_of_queries(
    analyst_client, workspace, touchpoint, django_assert_max_num_queries
):
    ImportProfile.objects.create(workspace=workspace, name="Plain", options={})
    line = b"checkout,2026-11-20T10:00:00Z,9\n"
    for count in (1, 2_000):
        content = b"touchpoint_key,occurred_at,nps\n" + line * count
        # Session, user, memberships, workspace; the form's touchpoints and profiles; the
        # profile (exists, get); the touchpoints the rows name; the workspace of the page.
        with django_assert_max_num_queries(10):
            response = preview(analyst_client, "a.csv", content, profile="Plain")
        assert response.status_code == 200


def test_the_import_saves_its_options_as_a_profile(analyst_client, workspace, touchpoint):
    content = b"When;Where;Score\n20/11/2026 10:30;checkout;9\n"
    data = form(
        "a.csv",
        content,
        delimiter=";",
        date_format="%d/%m/%Y %H:%M",
        timezone="Europe/Madrid",
        map_occurred_at="When",
        map_touchpoint_key="Where",
        map_nps="Score",
        save_profile="on",
        profile_name=" Weekly survey ",
    )

    response = analyst_client.post("/imports/", data)

    assert response.status_code == 302
    profile = ImportProfile.objects.get()
    assert (profile.workspace, profile.name, profile.created_by) == (
        workspace,
        "Weekly survey",
        "anna",
    )
    assert profile.options == {
        "delimiter": ";",
        "mapping": {"occurred_at": "When", "touchpoint_key": "Where", "nps": "Score"},
        "date_format": "%d/%m/%Y %H:%M",
        "timezone": "Europe/Madrid",
    }
    job = ImportJob.objects.get()
    assert job.profile == profile
    import_run(job.pk)
    assert Feedback.objects.get().occurred_at.isoformat() == "2026-11-20T09:30:00+00:00"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Taken", "A profile of this name exists in the workspace."),
        ("", "This field may not be blank."),
    ],
)
def test_a_profile_name_taken_or_empty_is_a_form_error(
    analyst_client, workspace, touchpoint, name, message
):
    ImportProfile.objects.create(workspace=workspace, name="Taken", options={})
    content = b"touchpoint_key,occurred_at,nps\ncheckout,2026-11-20T10:00:00Z,9\n"

    response = analyst_client.post(
        "/imports/", form("a.csv", content, save_profile="on", profile_name=name)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportProfile.objects.count() == 1
    assert not ImportJob.objects.exists()
