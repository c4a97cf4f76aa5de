"""The import page and a job's page: upload, roles, isolation, the live progress partial."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static

from feedback.imports import import_create, import_run
from feedback.models import Feedback, ImportChunk, ImportJob, ImportProfile, ImportStatus

HTMX = {"HTTP_HX_REQUEST": "true"}
# A survey export whose columns are not named like the feedback fields.
SURVEY_CSV = (
    "Response ID,Where,When,Score,Customer,Remarks\n"
    "r1,checkout,2025-01-10T10:00:00+00:00,9,c1,Smooth\n"
    'r2,checkout,2025-01-10T11:00:00+00:00,3,c2,"Slow, and it failed"\n'
    "r3,checkout,not-a-date,9,c3,\n"
)
SURVEY_MAPPING = {
    "map_external_id": "Response ID",
    "map_touchpoint_key": "Where",
    "map_occurred_at": "When",
    "map_nps": "Score",
    "map_customer_ref": "Customer",
    "map_comment": "Remarks",
}


def upload(content: str, name: str = "survey.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def form_data(content: str = SURVEY_CSV, name: str = "survey.csv", **fields) -> dict:
    data = {"file": upload(content, name), "format": "", "source": "", "timezone": ""}
    data.update(touchpoint_key="", **SURVEY_MAPPING)
    data.update(fields)
    return data


def make_job(workspace, content: str = SURVEY_CSV, mapping=None) -> ImportJob:
    return import_create(
        workspace=workspace,
        upload=upload(content),
        options={"mapping": mapping or {}},
        created_by="alice",
    )


def survey_job(workspace) -> ImportJob:
    mapping = {field[4:]: column for field, column in SURVEY_MAPPING.items()}
    return make_job(workspace, mapping=mapping)


def url(job: ImportJob) -> str:
    return f"/imports/{job.pk}/"


def test_it_asks_to_sign_in(client, workspace, touchpoint):
    job = make_job(workspace)
    for path in ("/imports/", url(job), f"/imports/{job.pk}/rejected/"):
        assert client.get(path).status_code == 302


def test_it_shows_the_upload_form_to_an_analyst(analyst_client, touchpoint):
    response = analyst_client.get("/imports/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="file"' in page
    # The mapping comes with the preview, once a file is chosen.
    assert 'hx-post="/imports/preview/" hx-trigger="change"' in page
    assert '<section id="import-preview"' in page and 'name="map_nps"' not in page
    assert 'name="save_profile"' in page and 'name="profile_name"' in page
    assert '<option value="checkout">Checkout (checkout)</option>' in page
    assert f'<script src="{static("js/imports.js")}" defer>' in page
    assert "<script>" not in page


def test_a_viewer_sees_the_jobs_but_no_form(viewer_client, workspace, touchpoint):
    make_job(workspace)

    page = viewer_client.get("/imports/").content.decode()

    assert "survey.csv" in page
    assert 'name="file"' not in page
    assert "needs the analyst role" in page


def test_a_viewer_cannot_upload(viewer_client, touchpoint):
    response = viewer_client.post("/imports/", form_data())

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_upload_creates_a_job_and_its_chunks(analyst_client, workspace, touchpoint):
    response = analyst_client.post("/imports/", form_data(source="survey"))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(job)
    assert job.workspace == workspace
    assert job.created_by == "anna"
    assert job.filename == "survey.csv"
    assert job.format == "csv"
    assert job.mapping == {field[4:]: column for field, column in SURVEY_MAPPING.items()}
    assert job.defaults == {"source": "survey"}
    assert job.status == ImportStatus.QUEUED
    assert job.total == 3
    assert b"".join(bytes(c.data) for c in ImportChunk.objects.filter(job=job)) == (
        SURVEY_CSV.encode()
    )


def test_the_job_page_shows_the_result_once_processed(analyst_client, workspace, touchpoint):
    analyst_client.post("/imports/", form_data(source="survey"))
    job = ImportJob.objects.get()
    import_run(job.pk)

    page = analyst_client.get(url(job)).content.decode()

    assert sorted(Feedback.objects.values_list("external_id", "nps", "source")) == [
        ("r1", 9, "survey"),
        ("r2", 3, "survey"),
    ]
    assert "<strong>3</strong><span>processed</span>" in page
    assert "<strong>2</strong><span>accepted</span>" in page
    assert "<strong>0</strong><span>duplicates" in page
    assert "<strong>1</strong><span>rejected</span>" in page
    assert "100%" in page
    assert "Rejected rows" in page
    assert "<code>When (occurred_at)</code>" in page
    assert f'href="/imports/{job.pk}/rejected/"' in page


def test_defaults_fill_what_rows_leave_empty(analyst_client, touchpoint):
    content = "occurred_at,csat\n2025-01-10T10:00:00,2\n"
    data = form_data(content, "plain.csv", touchpoint_key="checkout", timezone="Europe/Madrid")
    data.update({name: "" for name in SURVEY_MAPPING})

    analyst_client.post("/imports/", data)
    job = ImportJob.objects.get()
    import_run(job.pk)

    assert job.defaults == {"touchpoint_key": "checkout"}
    feedback = Feedback.objects.get()
    assert feedback.touchpoint == touchpoint
    assert feedback.occurred_at.isoformat() == "2025-01-10T09:00:00+00:00"


def test_jsonl_is_recognised_by_its_name(analyst_client, touchpoint):
    content = '{"touchpoint_key": "checkout", "occurred_at": "2025-01-10T10:00:00Z", "ces": 6}\n'
    data = form_data(content, "export.jsonl")
    data.update({name: "" for name in SURVEY_MAPPING})

    analyst_client.post("/imports/", data)

    assert ImportJob.objects.get().format == "jsonl"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"file": ""}, "This field is required."),
        ({"file": upload("a,b\n", "notes.txt"), "delimiter": "ab"}, "One character"),
        ({"file": upload("a,b\n", "notes.txt"), "encoding": "klingon"}, "Unknown text encoding"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"format": "xml"}, "is not a valid choice"),
    ],
)
def test_it_validates_the_upload_like_the_api(analyst_client, touchpoint, fields, message):
    response = analyst_client.post("/imports/", form_data(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_recent_jobs_are_the_workspace_ones(outsider_client, workspace, touchpoint):
    make_job(workspace)

    page = outsider_client.get("/imports/").content.decode()

    assert "survey.csv" not in page


def test_it_validates_ownership_of_a_job(outsider_client, workspace, touchpoint):
    job = make_job(workspace)

    assert outsider_client.get(url(job)).status_code == 404
    assert outsider_client.get(url(job), **HTMX).status_code == 404
    assert outsider_client.get(f"/imports/{job.pk}/rejected/").status_code == 404


def test_a_running_job_polls_itself(viewer_client, workspace, touchpoint):
    job = make_job(workspace)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed=1, total=4)

    response = viewer_client.get(url(job))

    page = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" in page
    assert f'hx-get="{url(job)}" hx-trigger="every 1s" hx-swap="outerHTML"' in page
    assert "1 of 4 rows" in page
    assert "25%" in page


def test_htmx_gets_only_the_progress_partial(viewer_client, workspace, touchpoint):
    job = make_job(workspace)

    response = viewer_client.get(url(job), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in page
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker" in page


def test_a_finished_job_stops_polling(viewer_client, workspace, touchpoint):
    job = survey_job(workspace)
    import_run(job.pk)

    page = viewer_client.get(url(job), **HTMX).content.decode()

    assert page.lstrip().startswith('<section id="import-progress"')
    assert "hx-trigger" not in page
    assert "hx-get" not in page
    assert "Done" in page
    assert "Rejected rows" in page


def test_a_failed_job_shows_its_error(viewer_client, workspace, touchpoint):
    job = make_job(workspace, mapping={"nps": "Q_NPS"})
    import_run(job.pk)

    page = viewer_client.get(url(job)).content.decode()

    assert "Failed" in page
    assert "The import failed:" in page
    assert "Column &#x27;Q_NPS&#x27; (mapped to nps) is not in the file." in page
    assert "hx-trigger" not in page


def test_the_rejected_rows_download_as_csv(viewer_client, workspace, touchpoint):
    job = survey_job(workspace)
    import_run(job.pk)

    response = viewer_client.get(f"/imports/{job.pk}/rejected/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="rejected-{job.pk}.csv"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        SURVEY_CSV.splitlines()[0] + ",_row,_errors",
        "r3,checkout,not-a-date,9,c3,,4,When (occurred_at): "
        "An ISO-8601 date-time with offset is required.",
    ]


def test_the_form_offers_how_to_read_the_file(analyst_client, workspace, touchpoint):
    ImportProfile.objects.create(workspace=workspace, name="Zendesk CSAT", options={})

    page = analyst_client.get("/imports/").content.decode()

    for name in ("encoding", "delimiter", "header_rows", "date_format", "decimal", "profile"):
        assert f'name="{name}"' in page
    assert '<option value="Zendesk CSAT">Zendesk CSAT</option>' in page
    assert (
        '<option value="tsv">TSV</option>' in page and '<option value="json">JSON</option>' in page
    )


def test_the_page_takes_the_options_and_a_profile(analyst_client, workspace, touchpoint):
    ImportProfile.objects.create(
        workspace=workspace,
        name="Excel",
        options={"date_format": "%d/%m/%Y %H:%M", "timezone": "Europe/Madrid", "decimal": ","},
    )
    content = "Cuándo;Dónde;Nota;Sentimiento\n20/11/2025 10:30;checkout;4;-0,5\n"
    data = {
        "file": SimpleUploadedFile("notas.csv", content.encode("cp1252")),
        "profile": "Excel",
        "delimiter": ";",
        "map_occurred_at": "Cuándo",
        "map_touchpoint_key": "Dónde",
        "map_csat": "Nota",
        "map_sentiment": "Sentimiento",
    }

    response = analyst_client.post("/imports/", data)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.profile.name, job.delimiter, job.date_format, job.decimal) == (
        "Excel",
        ";",
        "%d/%m/%Y %H:%M",
        ",",
    )
    import_run(job.pk)
    feedback = Feedback.objects.get()
    assert (feedback.csat, feedback.sentiment) == (4, -0.5)
    assert feedback.occurred_at.isoformat() == "2025-11-20T09:30:00+00:00"

    page = analyst_client.get(url(job)).content.decode()
    assert 'encoding <code>cp1252</code> <span class="muted">(detected)</span>' in page
    assert "delimiter <code>;</code></span>" in page  # given, not detected
    assert '1 header row <span class="muted">(detected)</span>' in page
    assert "profile Excel" in page
