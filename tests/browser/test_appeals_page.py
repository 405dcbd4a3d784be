"""The operations appeals console (/web/appeals) in headless Chromium: the open appeal is listed with its
due time in Beijing time, its detail shows the appellant, demand, attachment and the frozen node; ops
claims it (then finds it under "claimed by me") and resolves it with a refund."""
from selenium.webdriver.support.ui import Select


def test_ops_claims_and_resolves_an_appeal_with_a_refund(browser, api, cast, place_order, walk, upload):
    order = walk(place_order(), "deliver")
    evidence = upload(cast.buyer, b"screenshot", "chat.png")
    opened = api.post(f"/api/v1/orders/{order['id']}/appeals", cast.buyer.token,
                      json={"reason": "Seller went silent", "demand": "Refund half", "attachments": [evidence]})
    assert opened.status_code == 201, opened.text
    appeal = opened.json()

    browser.open("/web/appeals")
    browser.sign_in(cast.ops.token)
    row = f'#appeals tr[data-appeal-id="{appeal["id"]}"]'
    browser.text_in(row, "(UTC+8)")
    browser.element(row).click()
    browser.text_in('#appeal-facts dd[data-fact="appellant"]', cast.buyer.name)
    browser.text_is('#appeal-facts dd[data-fact="demand"]', "Refund half")
    browser.element(f'#appeal-attachments button[data-attachment-id="{evidence}"]')
    browser.text_is('#order-facts dd[data-fact="order"]', order["order_no"])
    browser.marked("deliver", "active-node")
    browser.screenshot("detail-en")

    browser.element("#claim").click()
    browser.text_in("#detail-result", f"Claimed by {cast.ops.name}.")
    browser.element('input[name="filter"][value="mine"]').click()
    browser.text_in(row, cast.ops.name)

    Select(browser.element("#outcome")).select_by_value("close_with_refund")
    browser.element("#note").send_keys("Half refunded after the call")
    browser.element("#refund-amount").send_keys("500.00")
    browser.element("#lang-switch").click()
    browser.screenshot("resolve-zh")
    browser.element("#resolve-button").click()

    browser.text_in("#detail-result", "已处理")
    browser.until(lambda d: not browser.elements(row), "the resolved appeal to leave the open list")
    browser.element("#lang-switch").click()
    browser.screenshot("resolved-en")
    resolved = api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token).json()
    assert resolved["status"] == "refunded" and resolved["frozen"] is False
    listed = api.get("/api/v1/appeals", cast.ops.token, params={"status": "resolved"}).json()
    mine = next(a for a in listed if a["id"] == appeal["id"])
    assert mine["resolution"]["outcome"] == "close_with_refund" and mine["resolution"]["refund_amount"] == "500.00"
