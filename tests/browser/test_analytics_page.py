"""The analytics page (/web/analytics/<key>) in headless Chromium: nodes coloured and labelled from
GET /process-definitions/{key}/statistics, the tables match the API, labels switch language and stay."""
import pytest

from tests.bpmn_variants import manual, unique_key
from tests.helpers import ok


@pytest.fixture
def key_with_waits(api, cast, place_order_on, act, upload):
    """A key of its own: three orders, two of them delivered to the seller, one waiting for the buyer."""
    key = unique_key("analytics")
    response = api.post("/api/v1/process-definitions", cast.analyst.token, data=manual(key),
                        headers={"Content-Type": "application/xml"})
    assert response.status_code == 201, response.text
    orders = [place_order_on(key) for _ in range(3)]
    for order in orders[:2]:
        ok(act(cast.buyer, order, "submit_requirement", {"description": "Migrate"}, [upload(cast.buyer)]))
    return key, orders


def statistics(api, who, key: str) -> dict:
    return {row["node"]: row for row in ok(api.get(f"/api/v1/process-definitions/{key}/statistics", who.token))}


def shown_rows(browser) -> dict:
    rows = browser.run("return [...document.querySelectorAll('#statistics tbody tr')].map(r => "
                       "[r.dataset.node, ...[...r.cells].slice(2).map(c => c.textContent)])")
    return {node: (int(active), int(completed), int(overdue)) for node, active, completed, _m, _p, overdue in rows}


def test_the_page_shows_the_counts_the_api_gives_on_coloured_labelled_nodes(browser, api, cast, key_with_waits):
    key, _ = key_with_waits
    expected = statistics(api, cast.analyst, key)
    browser.open(f"/web/analytics/{key}")
    browser.sign_in(cast.analyst.token)
    browser.element('#analytics[data-loaded="yes"]')
    browser.text_is("#diagram-title", f"{key} v1")

    assert shown_rows(browser) == {node: (r["active"], r["completed"], r["overdue"]) for node, r in expected.items()}
    assert set(expected) == {"submit_requirement", "deliver"}
    browser.marked("deliver", "heat-4")  # the most waiting orders (2)
    browser.marked("submit_requirement", "heat-2")  # half as many (1)
    assert not {"heat-1", "heat-2", "heat-3", "heat-4"} & browser.classes_of("confirm_acceptance")
    overlay = browser.element('.wait-overlay[data-node-id="deliver"]')
    assert overlay.get_attribute("data-active") == "2" and overlay.text.startswith("2 waiting · p50 ")
    browser.text_in("#appeals-error", "analyst role")  # appeals are listed for operations
    browser.screenshot("analytics-en")


def test_operations_see_open_appeals_and_the_language_switch_is_remembered(browser, api, cast, key_with_waits):
    key, orders = key_with_waits
    ok(api.post(f"/api/v1/orders/{orders[2]['id']}/appeals", cast.buyer.token,
                json={"reason": "No answer", "demand": "Deliver", "attachments": []}), 201)
    browser.open(f"/web/analytics/{key}")
    browser.sign_in(cast.ops.token)
    browser.element('#analytics[data-loaded="yes"]')
    browser.text_in(f'#appeals tr[data-appeal-id] a[href$="{orders[2]["id"]}"]', orders[2]["order_no"])

    browser.element("#language").click()
    browser.text_in('#statistics tr[data-node="deliver"] td:nth-child(2)', "服务商处理需求")
    browser.text_in('#statistics thead', "等待中位数")
    browser.text_in('.wait-overlay[data-node-id="deliver"]', "等待")
    browser.screenshot("analytics-zh")
    browser.open(f"/web/analytics/{key}")  # same browser: the token (this tab) and the language stay
    browser.element('#analytics[data-loaded="yes"]')
    browser.text_in('#statistics thead', "等待中位数")
