"""Takes the README screenshots from a running Truthmap with the demo data (`make run`).

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Needs Chromium (apt-get install -y chromium)."""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CSV = "touchpoint_key,occurred_at,nps,csat,comment\n" + "".join(
    f"chat-support,2026-11-0{1 + i % 9}T10:00:00+00:00,{i % 11},{1 + i % 5},Row {i}\n"
    for i in range(400)
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{BASE}/login/")
        page.fill("input[name=username]", "demo")
        page.fill("input[name=password]", "demo")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "dashboard.png", full_page=True)

        # A manager's controls: the first card's edit form open, then what a delete would take.
        page.locator(".journey-card details.journey-edit summary").first.click()
        page.screenshot(path=OUT / "dashboard-manage.png", full_page=True)
        page.locator(".journey-card a.button.danger").first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "journey-delete.png")
        page.goto(f"{BASE}/")

        page.click(".journey-card h2 a >> text=Online purchase")
        page.wait_for_load_state("networkidle")
        page.locator(".touchpoint a.name", has_text="Checkout and payment").click()
        page.locator("#panel-slot .panel").wait_for()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "map-with-panel.png", full_page=True)

        # The print view as it goes on paper: print media, a window as wide as A4 landscape.
        page.click("details[data-menu] summary")
        page.click("text=Print or PDF (landscape)")
        page.locator("#emotion-chart .main-svg").first.wait_for()
        page.set_viewport_size({"width": 1123, "height": 794})
        page.emulate_media(media="print")
        page.screenshot(path=OUT / "print.png", full_page=True)
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1440, "height": 900})

        page.goto(f"{BASE}/imports/")
        upload = Path(tempfile.mkdtemp()) / "post-sale-survey.csv"
        upload.write_text(CSV)
        page.set_input_files("input[type=file]", str(upload))
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(3000)
        page.screenshot(path=OUT / "import-progress.png", full_page=True)

        page.goto(f"{BASE}/")
        page.click(".journey-card h2 a >> text=Online purchase")
        page.get_by_role("link", name="Share").click()
        page.get_by_role("button", name="Create a share link").click()
        shared = page.locator("#new-share-url").input_value()
        visitor = browser.new_page(viewport={"width": 1440, "height": 900})  # signed in nowhere
        visitor.goto(BASE + "/shared/" + shared.rstrip("/").rsplit("/", 1)[1] + "/")
        visitor.wait_for_load_state("networkidle")
        visitor.screenshot(path=OUT / "share.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
