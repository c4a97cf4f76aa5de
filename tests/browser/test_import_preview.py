"""The import page in Chromium: a file chosen is previewed by the server with a suggested
mapping, a mapping changed previews again, and the import saves its options as a profile and
runs to the end in a real worker."""

import pytest

from feedback.models import ImportJob, ImportProfile
from tests.browser.conftest import sign_in
from tests.processes import celery_worker, reset_broker

pytestmark = pytest.mark.django_db(transaction=True)

SURVEY = (
    "Response ID,Submitted,Score,Effort,Comments\n"
    "r-1,2026-11-20T10:00:00+01:00,9,6,Quick and easy\n"
    "r-2,2026-11-20T11:30:00+01:00,3,2,The card was refused twice\n"
    "r-3,2026-11-21T09:15:00+01:00,12,5,Fine\n"
    "r-4,2026-11-21T17:45:00+01:00,10,7,\n"
)


def preview_header(page) -> list[str]:
    return page.locator("#import-preview .preview-table thead th").all_inner_texts()


def test_a_file_is_previewed_remapped_saved_as_a_profile_and_imported(
    page, owner, touchpoint, tmp_path
):
    survey = tmp_path / "weekly-survey.csv"
    survey.write_text(SURVEY)
    reset_broker()
    sign_in(page, "alice", "pw-alice")
    with celery_worker():
        page.goto(f"{page.base}/imports/")
        page.select_option("select[name=touchpoint_key]", "checkout")
        page.set_input_files("input[type=file]", str(survey))

        preview = page.locator("#import-preview")
        preview.locator(".preview-table").wait_for()
        assert preview.locator("select[name=map_external_id]").input_value() == "Response ID"
        assert preview.locator("select[name=map_occurred_at]").input_value() == "Submitted"
        assert preview.locator("select[name=map_nps]").input_value() == "Score"
        assert preview.locator("select[name=map_ces]").input_value() == "Effort"
        assert preview.locator("select[name=map_comment]").input_value() == "Comments"
        assert "CES (1–7)" in preview_header(page)
        rows = preview.locator(".preview-table tbody tr")
        assert rows.count() == 4
        # 10:00 at UTC+1, shown in the zone of the pages (UTC).
        assert rows.nth(0).inner_text().split("\t")[:5] == [
            "2",
            "r-1",
            "checkout",
            "11/20/2026 9 a.m.",
            "9",
        ]
        assert "Score (nps) A whole number 0–10 is required." in rows.nth(2).inner_text()
        page.screenshot(path=str(tmp_path / "import-preview.png"), full_page=True)

        # Effort is not the CES here: the person unmaps it, and the preview follows.
        preview.locator("select[name=map_ces]").select_option("")
        preview.locator("thead th", has_text="CES (1–7)").wait_for(state="detached")
        assert preview.locator("select[name=map_ces]").input_value() == ""
        assert preview.locator("select[name=map_nps]").input_value() == "Score"
        assert "CES (1–7)" not in preview_header(page)

        page.check("input[name=save_profile]")
        page.fill("input[name=profile_name]", "Weekly survey")
        page.locator("button", has_text="Start import").click()
        page.wait_for_url("**/imports/*/")
        page.locator("#import-progress .status-done").wait_for(timeout=30_000)

    job = ImportJob.objects.get()
    assert (job.status, job.accepted, job.rejected) == ("done", 3, 1)
    assert page.locator(".import-counters .accepted strong").inner_text() == "3"
    assert page.locator("text=profile Weekly survey").count() == 1
    profile = ImportProfile.objects.get()
    assert (profile.name, job.profile) == ("Weekly survey", profile)
    assert profile.options == {
        "mapping": {
            "external_id": "Response ID",
            "occurred_at": "Submitted",
            "nps": "Score",
            "comment": "Comments",
        },
        "defaults": {"touchpoint_key": "checkout"},
    }
    assert page.errors == []
