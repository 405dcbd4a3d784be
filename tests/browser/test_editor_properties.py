"""The editor's properties panel, review and rollback (/web/editor) in headless Chromium: an analyst adds a
task, sets its platform `actions` in the panel, sees the diff and the orders a day it affects, deploys,
then makes the previous version current again."""
from selenium.webdriver.common.by import By

from tests.browser.test_editor import KEY, open_current

ADD_TASK = """
    const registry = modeler.get('elementRegistry'), modeling = modeler.get('modeling');
    const task = modeling.createShape({type: 'bpmn:UserTask'}, {x: 260, y: 300}, registry.get('lane_buyer'));
    modeling.updateLabel(task, 'Buyer confirms the start');
    modeling.reconnectEnd(registry.get('flow_start_submit'), task, {x: 210, y: 300});
    modeling.connect(task, registry.get('submit_requirement'));
    modeler.get('selection').select(task);
    return task.id;"""
XML_HAS = """const done = arguments[arguments.length - 1];
    modeler.saveXML().then(({xml}) => done(xml.includes(arguments[0])));"""


def set_in_panel(browser, name: str, value: str) -> None:
    header = browser.element('.bio-properties-panel-group[data-group-id="group-platform"] .bio-properties-panel-group-header')
    if "open" not in (header.get_attribute("class") or ""):
        header.click()
    field = browser.element(f"#bio-properties-panel-platform-{name}")
    field.clear()
    field.send_keys(value)
    property_xml = f'name="{name}" value="{value}"'
    browser.until(lambda d: d.execute_async_script(XML_HAS, property_xml), f"{name}={value} in the diagram XML")


def test_an_analyst_sets_actions_in_the_properties_panel_deploys_then_rolls_back(browser, analyst, api,
                                                                                 restore_current_version):
    before = restore_current_version(KEY)
    open_current(browser, analyst, api)
    listing = api.get("/api/v1/process-definitions", analyst.token).json()
    new = 1 + max(v["version"] for d in listing if d["key"] == KEY for v in d["versions"])
    task_id = browser.run(ADD_TASK)
    set_in_panel(browser, "actions", "confirm_start")
    set_in_panel(browser, "status_zh", "用户确认开始")
    browser.screenshot("properties-en")

    browser.element("#deploy").click()
    browser.text_in("#impact", "new orders a day")
    assert browser.element("#impact").get_attribute("data-per-day") is not None
    added = [row.text for row in browser.elements("#diff .diff-line.added")]
    assert any('value="confirm_start"' in line for line in added), added
    browser.screenshot("review-en")
    browser.element("#confirm-deploy").click()

    browser.text_is("#deploy-result", f"Deployed {KEY} as version {new}.")
    stored = api.get(f"/api/v1/process-definitions/{KEY}/versions/{new}", analyst.token).text
    assert task_id in stored and 'name="actions" value="confirm_start"' in stored

    browser.element(f'#versions button.make-current[data-version="{before}"]').click()

    browser.text_in("#deploy-result", f"{KEY} v{before} is current again")
    listing = api.get("/api/v1/process-definitions", analyst.token).json()
    assert next(d["current_version"] for d in listing if d["key"] == KEY) == before
    browser.until(lambda d: "current" in d.find_element(
        By.CSS_SELECTOR, f'#versions button[data-version="{before}"]').text, f"v{before} listed as current")
    browser.element("#lang-switch").click()
    browser.text_in("#versions-heading", "版本")
    browser.screenshot("versions-zh")
