"""The analysts' diagram editor (/web/editor) in headless Chromium: open, edit, deploy, see problems."""
import uuid

from selenium.webdriver.common.by import By

KEY = "manual_service_general"


def open_current(browser, analyst, api, key: str = KEY) -> int:
    """Sign in on the editor, open `key`'s current version, wait for it to be drawn; its version."""
    listing = api.get("/api/v1/process-definitions", analyst.token).json()
    current = next(d["current_version"] for d in listing if d["key"] == key)
    browser.open("/web/editor")
    browser.sign_in(analyst.token)
    browser.element(f'#keys button[data-key="{key}"]').click()
    browser.text_is("#open-title", f"{key} v{current}")
    browser.classes_of("confirm_acceptance")
    return current


def test_an_analyst_renames_a_task_deploys_it_and_sees_the_new_version_listed(browser, analyst, api,
                                                                              restore_current_version):
    restore_current_version(KEY)
    open_current(browser, analyst, api)
    listing = api.get("/api/v1/process-definitions", analyst.token).json()
    new = 1 + max(v["version"] for d in listing if d["key"] == KEY for v in d["versions"])  # not current + 1:
    browser.screenshot("opened")  # other tests may have deployed and rolled back versions of this key
    new_name = f"Buyer confirms acceptance {uuid.uuid4().hex[:6]}"
    browser.run("const registry = modeler.get('elementRegistry');"
                "modeler.get('modeling').updateLabel(registry.get('confirm_acceptance'), arguments[0]);", new_name)
    browser.element("#dirty")

    browser.element("#deploy").click()
    browser.element("#confirm-deploy").click()

    browser.text_is("#deploy-result", f"Deployed {KEY} as version {new}.")
    browser.text_is(f'#keys button[data-key="{KEY}"] .badge', f"v{new}")
    listed = f'#versions button[data-version="{new}"]'
    browser.until(lambda d: "current" in d.find_element(By.CSS_SELECTOR, listed).text
                  and "selected" in d.find_element(By.CSS_SELECTOR, listed).get_attribute("class"),
                  f"{listed} to be listed as current and selected")
    assert not browser.elements("#dirty")[0].is_displayed()
    browser.screenshot("deployed")
    stored = api.get(f"/api/v1/process-definitions/{KEY}/versions/{new}", analyst.token)
    assert stored.status_code == 200 and new_name in stored.text


def test_deploying_an_unchanged_diagram_says_identical_content_and_adds_no_version(browser, analyst, api):
    current = open_current(browser, analyst, api)
    before = api.get("/api/v1/process-definitions", analyst.token).json()

    browser.element("#deploy").click()

    browser.text_in("#deploy-result", f"Identical content: {KEY} version {current}")
    assert api.get("/api/v1/process-definitions", analyst.token).json() == before


def test_a_rejected_diagram_lists_its_problems_and_pins_each_to_its_element(browser, analyst, api):
    open_current(browser, analyst, api)
    before = api.get("/api/v1/process-definitions", analyst.token).json()
    # A broken gateway condition, and a user task dropped in without any platform properties.
    new_task = browser.run("""
        const registry = modeler.get('elementRegistry'), modeling = modeler.get('modeling');
        const condition = modeler.get('moddle').create('bpmn:FormalExpression', {body: 'decision =='});
        modeling.updateProperties(registry.get('flow_accept'), {conditionExpression: condition});
        const task = modeling.createShape({type: 'bpmn:UserTask'}, {x: 1050, y: 370},
                                          registry.get('Participant_manual_service'));
        modeling.updateLabel(task, 'Forgotten task');
        return task.id;""")

    browser.element("#deploy").click()
    browser.element("#confirm-deploy").click()

    browser.text_is("#deploy-result", "Not deployed: the diagram has problems.")
    for element_id in ("flow_accept", new_task):
        browser.element(f'.djs-overlays[data-container-id="{element_id}"] .problem-overlay')
        assert "has-problem" in browser.classes_of(element_id)
        assert browser.element(f'#element-problems li[data-element-id="{element_id}"]')
    assert "declares no actions" in browser.element(f'#element-problems li[data-element-id="{new_task}"]').text
    assert "condition" in browser.element('#element-problems li[data-element-id="flow_accept"]').text
    browser.screenshot("problems")
    assert api.get("/api/v1/process-definitions", analyst.token).json() == before


def test_a_token_the_api_refuses_brings_back_the_sign_in_form_with_the_reason(browser):
    browser.open("/web/editor")
    browser.submit_token("not-a-token")

    browser.text_in("#sign-in-error", "not accepted")
    assert browser.element("#token").get_attribute("value") == ""
    assert browser.run("return sessionStorage.getItem('fulfilment.token')") is None
