"""An order's page (/web/orders/<id>) in headless Chromium: diagram with markers, nodes, history."""
ACTIVE_STROKE = "rgb(239, 108, 0)"  # the orange of .active-node in pages.css


def test_the_order_page_highlights_the_active_node_marks_completed_ones_and_lists_the_history(
        browser, api, cast, place_order, walk):
    order = walk(place_order(), "confirm_acceptance")
    history = api.get(f"/api/v1/orders/{order['id']}/history", cast.buyer.token).json()
    process = order["process"]

    browser.open(f"/web/orders/{order['id']}")
    browser.sign_in(cast.buyer.token)

    browser.text_is("#diagram-title", f"{process['key']} v{process['version']}")
    browser.marked("confirm_acceptance", "active-node")
    for done in ("start", "submit_requirement", "deliver", "gw_delivered"):
        browser.marked(done, "completed-node")
    assert "active-node" not in browser.classes_of("deliver")
    assert "completed-node" not in browser.classes_of("service_completed")
    stroke = browser.run("return getComputedStyle(document.querySelector("
                         "'g[data-element-id=\"confirm_acceptance\"] .djs-visual > :first-child')).stroke")
    assert stroke == ACTIVE_STROKE
    browser.text_is('#facts dd[data-fact="status"]', "processing")
    assert "confirm_acceptance" in browser.element('#nodes li[data-node-id="confirm_acceptance"]').text
    browser.until(lambda d: len(browser.elements("#history tbody tr")) == len(history), "every history row")
    shown = browser.run("return [...document.querySelectorAll('#history tbody tr')]"
                        ".map(row => [Number(row.dataset.seq), row.cells[3].textContent, row.cells[4].textContent])")
    assert shown == [[event["seq"], event["type"], event["node"] or ""] for event in history]
    assert {"order_placed", "task_completed"} <= {event_type for _, event_type, _ in shown}
    browser.screenshot("order")


def test_an_analyst_sees_the_order_diagram_but_is_told_the_order_details_are_not_for_their_role(
        browser, analyst, place_order):
    order = place_order()

    browser.open(f"/web/orders/{order['id']}")
    browser.sign_in(analyst.token)

    browser.marked("submit_requirement", "active-node")
    browser.text_in("#order-error", "analyst role")
    browser.text_in("#history-error", "analyst role")


def test_another_buyers_order_says_not_found_instead_of_loading_forever(browser, cast, place_order):
    order = place_order()

    browser.open(f"/web/orders/{order['id']}")
    browser.sign_in(cast.other_buyer.token)

    browser.text_in("#not-found h1", "Order not found")
    assert not browser.elements("#order")[0].is_displayed()
    browser.screenshot("not-found-en")
    browser.element("#lang-switch").click()
    browser.text_in("#not-found h1", "未找到订单")
    browser.screenshot("not-found-zh")


def test_the_buyer_sees_downloads_and_action_buttons_and_opens_an_appeal_from_the_order_page(
        browser, api, cast, place_order, walk):
    order = walk(place_order(), "confirm_acceptance")
    history = api.get(f"/api/v1/orders/{order['id']}/history", cast.buyer.token).json()
    attachment = next(a for e in history for a in e["attachments"])

    browser.open(f"/web/orders/{order['id']}")
    browser.sign_in(cast.buyer.token)

    browser.element(f'#history button.download[data-attachment-id="{attachment}"]')
    browser.element('#my-actions button[data-action="accept"]')
    browser.element('#my-actions button[data-action="reject"]').click()
    browser.element('#order-act form.action-form[data-action="reject"] #field-reason')
    browser.text_in("#refunds", "No refunds.")
    browser.text_in("#appeal-panel", "No appeal.")
    browser.screenshot("order-en")
    browser.element("#field-appeal-reason").send_keys("The delivery is incomplete")
    browser.element("#field-appeal-demand").send_keys("Deliver the rest")
    browser.element("#appeal-form button[type=submit]").click()

    browser.text_in("#appeal-panel", "is open")
    browser.text_is('#facts dd[data-fact="frozen"]', "yes, appeal open")
    browser.until(lambda d: not browser.elements("#my-actions button") and not browser.elements("#order-act form"),
                  "the actions and the open action form to go while frozen")
    browser.element("#lang-switch").click()
    browser.text_in("#appeal-panel", "处理中")
    browser.screenshot("order-zh")
    assert api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token).json()["frozen"] is True
