"""The task inbox (/web/inbox) in headless Chromium: a buyer submits the requirement with an upload from
the form built from the action's schema, the seller's server-side error shows next to its field, the
seller delivers, and the buyer's next task appears."""
from selenium.webdriver.common.by import By


def sign_in_as(browser, who) -> None:
    if browser.elements("#sign-out") and browser.elements("#sign-out")[0].is_displayed():
        browser.element("#sign-out").click()
    browser.sign_in(who.token)


def open_action(browser, order, node: str, action: str) -> None:
    row = f'#tasks tr[data-node="{node}"]'
    browser.until(lambda d: any(order["order_no"] in r.text for r in d.find_elements(By.CSS_SELECTOR, row)),
                  f"the {node} task of {order['order_no']}")
    for found in browser.elements(row):
        if order["order_no"] in found.text:
            found.find_element(By.CSS_SELECTOR, f'button[data-action="{action}"]').click()
            break
    browser.element(f'form.action-form[data-action="{action}"]')


def attach(browser, tmp_path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 evidence " + name.encode())
    browser.element("#field-attachments").send_keys(str(path))
    browser.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".uploads li.uploaded"), f"{name} uploaded")


def test_a_buyer_submits_the_requirement_with_an_upload_and_the_seller_delivers(browser, api, cast, place_order,
                                                                               tmp_path):
    order = place_order()
    browser.open("/web/inbox")
    browser.sign_in(cast.buyer.token)
    open_action(browser, order, "submit_requirement", "submit_requirement")
    assert "required" in browser.element('[data-field="description"] label').text

    browser.element('form.action-form button[type="submit"]').click()  # nothing filled in: marked, not sent
    browser.text_in('[data-error-for="description"]', "required")
    browser.text_in('[data-error-for="attachments"]', "required")
    browser.element("#field-description").send_keys("Migrate 2 TB of orders")
    attach(browser, tmp_path, "requirement.pdf")
    browser.screenshot("inbox-form-en")
    browser.element('form.action-form button[type="submit"]').click()

    browser.text_in("#inbox-result", "Submit requirement done.")
    browser.until(lambda d: not [r for r in browser.elements("#tasks tbody tr") if order["order_no"] in r.text],
                  "the submitted task to leave the buyer's inbox")
    assert api.get(f"/api/v1/orders/{order['id']}", cast.buyer.token).json()["nodes"][0]["id"] == "deliver"

    sign_in_as(browser, cast.seller)
    open_action(browser, order, "deliver", "deliver")
    browser.element("#field-note").send_keys("Migrated")
    attach(browser, tmp_path, "acceptance.pdf")
    browser.run("document.getElementById('field-actual_start_time').value = '2099-01-01T10:00'")
    browser.element('form.action-form button[type="submit"]').click()
    browser.text_in('[data-error-for="actual_start_time"]', "between payment and now")  # the server's 422
    browser.run("document.getElementById('field-actual_start_time').value = ''")
    browser.element('form.action-form button[type="submit"]').click()
    browser.text_in("#inbox-result", "Deliver done.")

    sign_in_as(browser, cast.buyer)
    browser.element("#lang-switch").click()
    open_action(browser, order, "confirm_acceptance", "accept")  # the buyer's next task appeared
    browser.text_in('form.action-form h3', "验收通过")
    browser.screenshot("inbox-zh")
    browser.element("#lang-switch").click()
    browser.screenshot("inbox-en")
    history = api.get(f"/api/v1/orders/{order['id']}/history", cast.buyer.token).json()
    delivered = [e for e in history if e["action"] == "deliver"]
    assert len(delivered) == 1 and len(delivered[0]["attachments"]) == 1
