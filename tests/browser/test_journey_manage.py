"""Managing journeys in a real browser: a manager renames a journey in its dashboard card,
duplicates it, archives the copy, finds it under the archived journeys and deletes it after
the confirmation page has said what goes with it."""

import pytest

from feedback.ingestion import feedback_ingest
from journeys.models import Journey
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_renames_duplicates_archives_and_deletes_a_journey(
    page, owner, workspace, journey, touchpoint, moment
):
    feedback_ingest(
        workspace=workspace,
        items=[{"touchpoint_key": "checkout", "occurred_at": "2026-01-01T00:00:00Z", "nps": 4}],
    )
    sign_in(page, "alice", "pw-alice")
    card = page.locator(f"#journey-{journey.pk}")

    # Rename, in the card: the card is swapped, and keeps the focus.
    card.get_by_label("Edit Online purchase").click()
    card.get_by_label("Name").fill("Web shop")
    card.get_by_label("Persona", exact=True).fill("Returning buyer")
    card.get_by_role("button", name="Save changes").click()
    card.get_by_role("link", name="Web shop", exact=True).wait_for()
    assert card.get_by_text("Returning buyer").is_visible()
    assert not card.get_by_label("Name").is_visible()  # the form closed
    assert page.evaluate("document.activeElement.textContent.trim()") == "Edit"
    journey.refresh_from_db()
    assert (journey.name, journey.persona, journey.version) == ("Web shop", "Returning buyer", 2)

    # Bad input is said in the card, and saves nothing.
    card.get_by_label("Edit Web shop").click()
    card.get_by_label("Name").fill(" ")
    card.get_by_label("Name").evaluate("input => input.removeAttribute('required')")
    card.get_by_role("button", name="Save changes").click()
    card.get_by_text("This field is required.").wait_for()
    journey.refresh_from_db()
    assert journey.name == "Web shop"

    # Duplicate: lands on the copy's map.
    page.goto(page.base + "/")
    card.get_by_role("button", name="Duplicate Web shop").click()
    page.get_by_role("heading", name="Web shop (copy)").wait_for()
    copy = Journey.objects.get(name="Web shop (copy)")
    assert page.url == f"{page.base}/journeys/{copy.pk}/"
    assert page.get_by_text("This is a copy of Web shop, without its feedback.").is_visible()
    assert page.locator(".touchpoint", has_text="Checkout").count() == 1

    # Archive the copy from the dashboard: out of the list, under the archived journeys.
    page.goto(page.base + "/")
    page.get_by_role("button", name="Archive Web shop (copy)").click()
    page.get_by_text("Web shop (copy) is archived").wait_for()
    assert page.locator(f"#journey-{copy.pk}").count() == 0
    archived = page.locator("details.archived-journeys")
    archived.get_by_text("Archived journey (1)").click()
    assert archived.get_by_role("link", name="Web shop (copy)", exact=True).is_visible()

    # Delete it: the confirmation says what goes with it; only its button deletes.
    archived.get_by_role("link", name="Delete Web shop (copy)…").click()
    page.get_by_role("heading", name="Delete the journey Web shop (copy)?").wait_for()
    contents = page.locator(".delete-journey .contents")
    assert contents.inner_text().split("\n") == [
        "6 stages",
        "1 touchpoint",
        "1 moment of truth",
        "0 feedback records",
    ]
    assert Journey.objects.filter(pk=copy.pk).exists()
    page.get_by_role("button", name="Delete for good").click()
    page.get_by_text("The journey Web shop (copy) was deleted.").wait_for()
    assert page.url == page.base + "/"
    assert page.locator("details.archived-journeys").count() == 0
    assert list(Journey.objects.values_list("name", flat=True)) == ["Web shop"]
    # The console logs the form's 400 answer; nothing else went wrong (a CSP violation would).
    assert [e for e in page.errors if "status of 400" not in e] == []
