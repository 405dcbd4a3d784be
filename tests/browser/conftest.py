"""Browser tests: a real headless Chromium (Debian's chromium + chromium-driver) driven by Selenium
against the live server. Skipped, with the reason, when something they need is not installed; with
CI set in the environment they fail instead, so CI cannot pass them by skipping."""
import os
import re
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def missing_bpmn_js() -> list[str]:
    from app.web import INSTALL_COMMAND, bpmn_js_installed
    return [] if bpmn_js_installed() else [f"app/web/node_modules ({INSTALL_COMMAND})"]


def missing_browser() -> list[str]:
    missing = [f"{path} (apt-get install -y chromium chromium-driver)"
               for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    return missing


def require(missing: list[str], what: str) -> None:
    """Skip with the reason when something is missing; fail instead when CI is set."""
    if not missing:
        return
    reason = f"{what} need " + "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + " -- CI is set, so they fail rather than skip")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def bpmn_js_requirements():
    require(missing_bpmn_js(), "the page tests")


@pytest.fixture(scope="session")
def browser_requirements():
    require(missing_browser() + missing_bpmn_js(), "the browser tests")


@pytest.fixture(scope="session")
def chromium(browser_requirements, tmp_path_factory):
    """One headless Chromium per test worker: launching one costs about a second of CPU per test."""
    from tests.browser.browser import launch
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = launch(profile, CHROMIUM, CHROMEDRIVER)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chromium, live_server, request):
    """The worker's Chromium on the live server, as new to each test as a fresh profile: one window,
    no cookies, empty local and session storage, an empty console.

    Saves a screenshot `<test>-final.png` to tests/artifacts/ at the end, failed or not, and fails
    the test on script errors or Content-Security-Policy violations in the page's console."""
    from tests.browser.browser import ARTIFACTS, Browser
    name = re.sub(r"\W+", "_", request.node.name)
    for stale in ARTIFACTS.glob(f"{name}-*.png"):
        stale.unlink()
    page = Browser(chromium, live_server, name)
    page.forget_everything()
    yield page
    page.screenshot("final")
    broken = [line for line in page.console() if "Uncaught" in line or "Content Security Policy" in line]
    assert not broken, f"the page logged errors: {broken}"


@pytest.fixture
def analyst(make_principal):
    return make_principal("analyst")


@pytest.fixture
def restore_current_version(api, analyst):
    """restore_current_version(key): after the test, new orders get the version they got before it."""
    saved = []

    def remember(key: str) -> int:
        listing = api.get("/api/v1/process-definitions", analyst.token).json()
        version = next(d["current_version"] for d in listing if d["key"] == key)
        saved.append((key, version))
        return version

    yield remember
    for key, version in saved:
        response = api.post(f"/api/v1/process-definitions/{key}/current", analyst.token, json={"version": version})
        assert response.status_code == 200, response.text

