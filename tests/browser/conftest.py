"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.getenv("CI"):
            pytest.fail("Chromium is missing: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, its static files served by whitenoise from what collectstatic
    made, as in production: Django's test handler would look for the hashed names in static/."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: page.errors.append(message.text) if message.type == "error" else None,
    )
    page.base = live_server.url
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto(f"{page.base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{page.base}/")


def fail_or_skip(reason: str):
    if os.getenv("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def npm_file(package: str, version: str, member: str) -> Path:
    """One file of an npm package, for a test only (never vendored): fetched with `npm pack`
    once into the gitignored .cache/npm/, then read from there."""
    cached = Path(settings.BASE_DIR) / ".cache" / "npm" / f"{package}-{version}" / Path(member).name
    if cached.exists():
        return cached
    npm = shutil.which("npm")
    if npm is None:
        fail_or_skip("npm is missing (apt-get install -y npm)")
    with tempfile.TemporaryDirectory() as folder:
        try:
            packed = subprocess.run(
                [npm, "pack", f"{package}@{version}", "--pack-destination", folder],
                check=True,
                capture_output=True,
                text=True,
                timeout=180,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            fail_or_skip(f"npm pack {package}@{version} failed: {exc}")
        tarball = Path(folder) / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as archive:
            content = archive.extractfile(f"package/{member}").read()
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(cached)
    return cached


AXE_VERSION = "4.14.1"  # the rules checked against; change it deliberately


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core, fetched with `npm pack` into the gitignored .cache/ on first use, never vendored."""
    return npm_file("axe-core", AXE_VERSION, "axe.min.js")


def serious_violations(page, axe_js: Path) -> list:
    """axe-core's serious and critical findings on the page as it is now."""
    # Evaluated by the DevTools protocol: the page's CSP allows no inline script.
    page.evaluate(axe_js.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
