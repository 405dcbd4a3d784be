"""/api/docs in a real Chromium: Swagger UI loads from our own server and lists the API's operations."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC


def test_the_api_docs_page_renders_the_operations(browser):
    browser.open("/api/docs")
    browser.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock")), "Swagger UI's operations")
    summaries = [e.get_attribute("textContent") for e in browser.elements(".opblock-summary-path")]
    assert "/api/v1/orders" in " ".join(summaries)
    assert len(summaries) >= 20
    foreign = browser.run("return performance.getEntriesByType('resource').map(e => e.name)"
                          ".filter(u => !u.startsWith(location.origin))")
    assert foreign == []


def test_the_landing_page_leads_to_the_docs(browser):
    browser.open("/")
    browser.element("#link-docs").click()
    browser.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, ".opblock")), "the docs behind the link")
