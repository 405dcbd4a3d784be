"""A thin page driver over Selenium and Debian's headless Chromium: every wait is on a condition."""
import json
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this network refuses.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1440,1000")
# Selenium polls twice a second by default: every wait would round up to half a second.
POLL = 0.05


def launch(profile_dir: Path, chromium: str, chromedriver: str) -> webdriver.Chrome:
    """A fresh headless Chromium with its own empty profile, reporting the page's console."""
    options = Options()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


class Browser:
    """One page in one Chromium, addressed by CSS selectors, relative to the live server."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, test_name: str, timeout: float = 20):
        self.driver, self.base_url, self.test_name, self.timeout = driver, base_url, test_name, timeout

    def forget_everything(self) -> None:
        """Back to a blank page in one window, with nothing stored for the server and an empty console."""
        for handle in self.driver.window_handles[1:]:
            self.driver.switch_to.window(handle)
            self.driver.close()
        self.driver.switch_to.window(self.driver.window_handles[0])
        self.driver.get("about:blank")
        self.driver.delete_all_cookies()
        self.driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": self.base_url, "storageTypes": "all"})
        self.driver.get_log("browser")

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def submit_token(self, token: str) -> None:
        """Paste the token into the page's sign-in form and submit it."""
        self.element("#token").send_keys(token)
        self.element("#sign-in-button").click()

    def sign_in(self, token: str) -> None:
        """Sign in once with a valid token and wait for the page behind the form."""
        self.submit_token(token)
        self.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#page")), "the page after signing in")

    def until(self, condition, what: str, timeout: float | None = None):
        try:
            # the pages re-render lists after each call: an element found a moment ago may be replaced
            return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=POLL,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except TimeoutException:
            self.screenshot("timeout")
            raise AssertionError(f"timed out waiting for {what}; console: {self.console()}") from None

    def element(self, css: str):
        return self.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), css)

    def elements(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text_in(self, css: str, text: str):
        self.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), f"{text!r} in {css}")
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text_is(self, css: str, text: str):
        """Wait until the element's whole visible text is `text`."""
        self.until(lambda d: d.find_element(By.CSS_SELECTOR, css).text.strip() == text, f"{css} to read {text!r}")

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def classes_of(self, element_id: str) -> set[str]:
        """The class list of bpmn-js's SVG group for a diagram element (where markers go)."""
        css = f'g.djs-element[data-element-id="{element_id}"]'
        found = self.until(EC.presence_of_element_located((By.CSS_SELECTOR, css)), css)
        return set((found.get_attribute("class") or "").split())

    def marked(self, element_id: str, marker: str) -> None:
        """Wait until the diagram element carries `marker` in its SVG group's class list."""
        self.until(lambda d: marker in self.classes_of(element_id), f"{element_id} marked {marker}")

    def screenshot(self, label: str) -> Path:
        """Save tests/artifacts/<test>-<label>.png once the web fonts the page needs have loaded."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            self.driver.set_script_timeout(10)
            self.driver.execute_async_script(
                "const done = arguments[0];"
                "document.fonts.load('16px \"Noto Sans SC\"', document.body.innerText)"
                ".then(() => document.fonts.ready).then(() => requestAnimationFrame(() => done()), () => done());")
        except Exception:  # noqa: BLE001 -- a screenshot without the fonts is better than none
            pass
        path = ARTIFACTS / f"{self.test_name}-{label}.png"
        self.driver.save_screenshot(str(path))
        return path

    def console(self) -> list[str]:
        """What the page logged since the last call (warnings and errors)."""
        entries = self.driver.get_log("browser")
        return [json.dumps(e["message"])[:300] for e in entries if e["level"] in ("WARNING", "SEVERE")]
