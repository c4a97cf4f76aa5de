"""The map's Export menu in a real browser: a template journey started from the dashboard,
its Mermaid diagram downloaded, and the menu closing again."""

import pytest

from journeys.models import Journey
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_starts_from_a_template_and_downloads_its_diagram(page, owner, tmp_path):
    sign_in(page, "alice", "pw-alice")
    page.click("text=New journey")
    page.fill("input[name=name]", "Our onboarding")
    page.select_option("select[name=start_from]", "saas-onboarding")
    page.click("text=Create journey")
    page.wait_for_url("**/journeys/*/")
    assert page.locator(".touchpoint", has_text="Setup wizard and first project").count() == 1

    menu = page.locator("details[data-menu]", has_text="Journey document")
    menu.locator("summary").click()
    with page.expect_download() as download:
        menu.get_by_role("link", name="Mermaid diagram").click()
    assert download.value.suggested_filename == "our-onboarding.mmd"
    saved = tmp_path / "diagram.mmd"
    download.value.save_as(saved)
    text = saved.read_text()
    assert text.startswith("journey\n    title Our onboarding\n")
    assert "      Setup wizard and first project: 3: Web\n" in text
    assert menu.get_attribute("open") is None  # a choice closes the menu

    menu.locator("summary").click()
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert Journey.objects.get().name == "Our onboarding"
    assert page.errors == []
