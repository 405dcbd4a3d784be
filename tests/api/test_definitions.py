"""Analysts own the flows: deploying BPMN over HTTP with real validation, safe parsing and versions.

Versions persist for the whole session (one database per run) and new orders take a key's current
version, so every diagram here is deployed under a process id of its own (tests/bpmn_variants.py),
except where a test is about the versions orders of a routed key get: those restore the key's current
version afterwards (`keep_current_versions`).
"""
import hashlib
from pathlib import Path

import pytest

from tests.bpmn_variants import (BPMNIO_EXPORT, CAMUNDA_EXPORT, CONFIRM_ACTIONS, CONFIRM_FORM, DELIVER_INCOMING,
                                 DELIVER_LANE_REF, DELIVER_OPEN, GW_DELIVERED_OPEN, MANUAL, SELLER_LANE,
                                 SUBMIT_TO_DELIVER, accept_condition, deliver_script, diagram, manual, replaced,
                                 script_task, timer_flow, unique_key)
from tests.helpers import ok

DEFINITIONS = "/api/v1/process-definitions"
XML = {"Content-Type": "application/xml"}
ONE_MIB = 1024 * 1024


# -- helpers -------------------------------------------------------------------------------------
def deploy(api, who, xml: bytes):
    """POST the diagram as a raw application/xml body."""
    return api.post(DEFINITIONS, who.token, data=xml, headers=dict(XML))


def deploy_file(api, who, xml: bytes, filename: str = "diagram.bpmn"):
    """POST the diagram as the multipart field `file`."""
    return api.post(DEFINITIONS, who.token, files={"file": (filename, xml, "application/octet-stream")})


def listing(api, who) -> dict:
    """GET /process-definitions as {key: entry}."""
    return {d["key"]: d for d in ok(api.get(DEFINITIONS, who.token))}


def problems_of(problem, response) -> list[dict]:
    """The {element_id, message} list of a 422 invalid_bpmn answer."""
    body = problem(response, 422, "invalid_bpmn")
    assert isinstance(body.get("errors"), list) and body["errors"], body
    assert all(set(p) >= {"element_id", "message"} for p in body["errors"]), body["errors"]
    return body["errors"]


def pinned_to(problem, response, element_id: str | None) -> list[str]:
    """The messages of the problems pinned to `element_id` (at least one must be)."""
    found = [p["message"] for p in problems_of(problem, response) if p["element_id"] == element_id]
    assert found, problems_of(problem, response)
    return found


def set_current(api, who, key: str, version: int):
    return api.post(f"{DEFINITIONS}/{key}/current", who.token, json={"version": version})


@pytest.fixture
def key():
    return unique_key()


@pytest.fixture
def deployed(api, cast, key):
    """A test key deployed once (version 1): {"key", "xml", "body"}."""
    xml = manual(key)
    body = ok(deploy(api, cast.analyst, xml), 201)
    return {"key": key, "xml": xml, "body": body}


@pytest.fixture
def two_versions(api, cast, deployed):
    """The test key with a second version (the deliver task relabelled): {"key", "v1", "v2", "xml2"}."""
    xml2 = manual(deployed["key"], (DELIVER_OPEN, DELIVER_OPEN.replace("Seller processes requirement",
                                                                       "Seller delivers the service")))
    v2 = ok(deploy(api, cast.analyst, xml2), 201)["version"]
    return {"key": deployed["key"], "v1": deployed["body"]["version"], "v2": v2, "xml2": xml2}


# -- deploying -----------------------------------------------------------------------------------
def test_an_analyst_deploys_a_diagram_sent_as_a_raw_xml_body(api, cast, key):
    response = deploy(api, cast.analyst, manual(key))
    assert response.status_code == 201, response.text
    assert response.json()["key"] == key and response.json()["version"] == 1


def test_an_analyst_deploys_a_diagram_sent_as_a_multipart_file(api, cast, key):
    response = deploy_file(api, cast.analyst, manual(key), filename=f"{key}.bpmn")
    assert response.status_code == 201, response.text
    assert response.json()["key"] == key and response.json()["version"] == 1


def test_the_deploy_answer_carries_the_sha256_of_the_content(api, cast, key):
    xml = manual(key)
    assert ok(deploy(api, cast.analyst, xml), 201)["sha256"] == hashlib.sha256(xml).hexdigest()


def test_an_admin_may_deploy(api, cast, key):
    assert deploy(api, cast.admin, manual(key)).status_code == 201


@pytest.mark.parametrize("role", ["buyer", "seller", "ops", "platform"])
def test_other_roles_may_not_deploy(api, make_principal, problem, key, role):
    problem(deploy(api, make_principal(role), manual(key)), 403, "forbidden")


def test_a_reviewer_may_not_deploy(api, make_principal, problem, key):
    problem(deploy(api, make_principal("reviewer", "base_manager"), manual(key)), 403, "forbidden")


def test_deploying_without_a_token_answers_401(api, problem, key):
    problem(api.post(DEFINITIONS, data=manual(key), headers=dict(XML)), 401, "unauthenticated")


def test_a_refused_deploy_adds_no_process(api, cast, key):
    deploy(api, cast.other_buyer, manual(key))
    assert key not in listing(api, cast.analyst)


def test_a_json_body_is_a_wrong_content_type(api, cast, problem):
    problem(api.post(DEFINITIONS, cast.analyst.token, json={"xml": "<definitions/>"}), 400, "bad_request")


# -- listing and reading versions -------------------------------------------------------------------
def test_the_listing_shows_a_deployed_key_with_its_version_and_current_version(api, cast, deployed):
    entry = listing(api, cast.analyst)[deployed["key"]]
    assert entry["current_version"] == 1
    assert [(v["version"], v["sha256"]) for v in entry["versions"]] == [(1, deployed["body"]["sha256"])]


def test_each_listed_version_has_its_deployment_time(api, cast, deployed):
    [version] = listing(api, cast.analyst)[deployed["key"]]["versions"]
    assert version["deployed_at"]


def test_the_listing_shows_the_shipped_processes(api, cast):
    assert {"manual_service_general", "hardware", "license_authcode_v2"} <= set(listing(api, cast.analyst))


def test_a_version_is_served_as_application_xml(api, cast, deployed):
    response = api.get(f"{DEFINITIONS}/{deployed['key']}/versions/1", cast.analyst.token)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/xml")


def test_a_version_is_served_byte_for_byte_as_deployed(api, cast, deployed):
    response = api.get(f"{DEFINITIONS}/{deployed['key']}/versions/1", cast.analyst.token)
    assert response.content == deployed["xml"]


def test_an_unknown_version_answers_404(api, cast, problem, deployed):
    problem(api.get(f"{DEFINITIONS}/{deployed['key']}/versions/99", cast.analyst.token), 404, "not_found")


def test_an_unknown_key_answers_404(api, cast, problem, key):
    problem(api.get(f"{DEFINITIONS}/{key}/versions/1", cast.analyst.token), 404, "not_found")


# -- identical content, new versions, current version -----------------------------------------------
def test_deploying_identical_content_again_answers_200_with_the_same_version(api, cast, deployed):
    response = deploy(api, cast.analyst, deployed["xml"])
    assert response.status_code == 200, response.text
    assert response.json() == deployed["body"]


def test_deploying_identical_content_again_adds_no_version(api, cast, deployed):
    deploy_file(api, cast.analyst, deployed["xml"])
    assert [v["version"] for v in listing(api, cast.analyst)[deployed["key"]]["versions"]] == [1]


def test_deploying_a_shipped_diagram_unchanged_answers_200_with_its_deployed_version(api, cast):
    xml = MANUAL.read_bytes()
    entry = listing(api, cast.analyst)["manual_service_general"]
    shipped = next(v["version"] for v in entry["versions"] if v["sha256"] == hashlib.sha256(xml).hexdigest())
    response = deploy(api, cast.analyst, xml)
    assert (response.status_code, response.json()["version"]) == (200, shipped)


def test_a_changed_diagram_deploys_as_the_next_version(two_versions):
    assert (two_versions["v1"], two_versions["v2"]) == (1, 2)


def test_the_new_version_becomes_current(api, cast, two_versions):
    assert listing(api, cast.analyst)[two_versions["key"]]["current_version"] == 2


def test_the_listing_keeps_every_version(api, cast, two_versions):
    assert [v["version"] for v in listing(api, cast.analyst)[two_versions["key"]]["versions"]] == [1, 2]


def test_the_new_version_is_served_with_its_own_xml(api, cast, two_versions):
    response = api.get(f"{DEFINITIONS}/{two_versions['key']}/versions/2", cast.analyst.token)
    assert response.content == two_versions["xml2"]


def test_setting_the_current_version_answers_the_key_and_its_current_version(api, cast, two_versions):
    response = set_current(api, cast.analyst, two_versions["key"], 1)
    assert ok(response) == {"key": two_versions["key"], "current_version": 1}


def test_setting_the_current_version_rolls_back_which_version_is_current(api, cast, two_versions):
    set_current(api, cast.analyst, two_versions["key"], 1)
    assert listing(api, cast.analyst)[two_versions["key"]]["current_version"] == 1


def test_setting_the_current_version_can_roll_forward_again(api, cast, two_versions):
    set_current(api, cast.analyst, two_versions["key"], 1)
    set_current(api, cast.analyst, two_versions["key"], 2)
    assert listing(api, cast.analyst)[two_versions["key"]]["current_version"] == 2


def test_setting_an_unknown_version_current_answers_404(api, cast, problem, deployed):
    problem(set_current(api, cast.analyst, deployed["key"], 7), 404, "not_found")


def test_setting_an_unknown_version_current_leaves_the_current_version(api, cast, deployed):
    set_current(api, cast.analyst, deployed["key"], 7)
    assert listing(api, cast.analyst)[deployed["key"]]["current_version"] == 1


def test_a_buyer_may_not_set_the_current_version(api, cast, problem, two_versions):
    problem(set_current(api, cast.buyer, two_versions["key"], 1), 403, "forbidden")


def test_setting_the_current_version_without_a_token_answers_401(api, problem, two_versions):
    problem(api.post(f"{DEFINITIONS}/{two_versions['key']}/current", json={"version": 1}), 401, "unauthenticated")


# -- which version orders run -----------------------------------------------------------------------
SUBMIT_LABEL = 'name="User submits requirement"'
SUBMIT_LABEL_V2 = "User submits the requirement (new version)"


@pytest.fixture
def routed_versions(api, cast, place_order, keep_current_versions):
    """manual_service_general: an order placed on its current version, then a new version (submit_requirement
    relabelled) deployed and a second order placed. The key's current version is restored afterwards."""
    before = keep_current_versions("manual_service_general")
    first = place_order()
    xml = replaced(MANUAL.read_text(encoding="utf-8"),
                   (SUBMIT_LABEL, f'name="{SUBMIT_LABEL_V2}"'),
                   ('name="Manual service (general)" isExecutable', f'name="Manual service (general) {unique_key()}" '
                                                                    'isExecutable')).encode("utf-8")
    new = ok(deploy(api, cast.analyst, xml), 201)["version"]
    second = place_order()
    return {"before": before, "new": new, "first": first, "second": second}


def versions_listed(api, who, *orders) -> list:
    by_id = {o["id"]: o["process"]["version"] for o in ok(api.get("/api/v1/orders", who.token,
                                                                  params={"page_size": 100}))}
    return [by_id[o["id"]] for o in orders]


def test_new_orders_take_the_current_version_while_running_ones_keep_theirs(api, cast, routed_versions):
    assert versions_listed(api, cast.buyer, routed_versions["first"], routed_versions["second"]) \
        == [routed_versions["before"], routed_versions["new"]]


def test_the_new_version_is_numbered_after_the_one_orders_ran_before(routed_versions):
    assert routed_versions["new"] > routed_versions["before"]


def test_an_order_placed_after_the_deploy_shows_the_new_versions_labels(api, cast, routed_versions):
    order = ok(api.get(f"/api/v1/orders/{routed_versions['second']['id']}", cast.buyer.token))
    assert [n["name"] for n in order["nodes"]] == [SUBMIT_LABEL_V2]


def test_an_order_placed_before_the_deploy_keeps_its_versions_labels(api, cast, routed_versions):
    order = ok(api.get(f"/api/v1/orders/{routed_versions['first']['id']}", cast.buyer.token))
    assert [n["name"] for n in order["nodes"]] == ["User submits requirement"]


def test_an_order_placed_before_the_deploy_runs_to_completion_on_its_version(api, cast, routed_versions, walk, act):
    order = walk(routed_versions["first"], "confirm_acceptance")
    done = ok(act(cast.buyer, order, "accept"))
    assert (done["status"], done["process"]["version"]) == ("completed", routed_versions["before"])


def test_after_a_rollback_new_orders_take_the_rolled_back_version(api, cast, routed_versions, place_order):
    ok(set_current(api, cast.analyst, "manual_service_general", routed_versions["before"]))
    assert place_order()["process"]["version"] == routed_versions["before"]


# -- validation: every problem, pinned to its element --------------------------------------------------
def test_xml_that_is_not_well_formed_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key)[:-40])
    assert any("well-formed" in m for m in pinned_to(problem, response, None))


def test_an_xsd_violation_is_pinned_to_its_element(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (DELIVER_OPEN, DELIVER_OPEN.replace('">', '" bogus="1">'))))
    assert any("bogus" in m for m in pinned_to(problem, response, "deliver"))


def test_an_xsd_enumeration_violation_is_pinned_to_its_element(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (GW_DELIVERED_OPEN, GW_DELIVERED_OPEN.replace(
        'default=', 'gatewayDirection="Sideways" default='))))
    assert any("Sideways" in m for m in pinned_to(problem, response, "gw_delivered"))


def test_a_diagram_without_an_executable_process_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, ('isExecutable="true"', 'isExecutable="false"')))
    assert any("executable" in m for m in pinned_to(problem, response, None))


def test_a_user_task_in_no_lane_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (DELIVER_LANE_REF, "")))
    assert any("lane" in m for m in pinned_to(problem, response, "deliver"))


def test_a_user_task_in_a_lane_that_is_not_a_known_role_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (SELLER_LANE, SELLER_LANE.replace('"seller"', '"vendor"'))))
    assert any("vendor" in m for m in pinned_to(problem, response, "deliver"))


def test_a_reviewer_task_without_review_role_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (SELLER_LANE, SELLER_LANE.replace('"seller"', '"reviewer"'))))
    assert any("review_role" in m for m in pinned_to(problem, response, "deliver"))


def test_a_reviewer_task_with_an_unknown_review_role_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(
        key, (SELLER_LANE, SELLER_LANE.replace('"seller"', '"reviewer"')),
        ('<spiffworkflow:property name="sla" value="P5D" />',
         '<spiffworkflow:property name="sla" value="P5D" />\n'
         '          <spiffworkflow:property name="review_role" value="night_watch" />')))
    assert any("review_role" in m for m in pinned_to(problem, response, "deliver"))


def test_a_user_task_without_actions_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (CONFIRM_ACTIONS, ""), (CONFIRM_FORM, "")))
    assert any("actions" in m for m in pinned_to(problem, response, "confirm_acceptance"))


def test_a_form_that_names_no_known_schema_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, (CONFIRM_FORM, CONFIRM_FORM.replace("rejection", "no_such_form"))))
    assert any("no_such_form" in m for m in pinned_to(problem, response, "confirm_acceptance"))


def test_a_gateway_condition_with_a_syntax_error_is_pinned_to_its_flow(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision == ')))
    assert pinned_to(problem, response, "flow_accept")


def test_a_gateway_condition_using_a_name_no_task_produces_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision == "accept" and mystery_flag')))
    assert any("mystery_flag" in m for m in pinned_to(problem, response, "flow_accept"))


def test_a_gateway_condition_using_a_name_a_form_produces_is_accepted(api, cast, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision == "accept" and not reason')))
    assert response.status_code == 201, response.text


def test_a_gateway_condition_that_imports_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('__import__("os").system("id") == 0')))
    assert pinned_to(problem, response, "flow_accept")


def test_a_gateway_condition_reaching_a_dunder_attribute_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision.__class__ == "accept"')))
    assert any("__class__" in m for m in pinned_to(problem, response, "flow_accept"))


def test_a_gateway_condition_calling_outside_the_allow_list_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('open("/etc/passwd") and decision == "accept"')))
    assert any("open" in m for m in pinned_to(problem, response, "flow_accept"))


def test_a_gateway_condition_with_an_attribute_outside_the_allow_list_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision.replace("x", "") == "accept"')))
    assert any("replace" in m for m in pinned_to(problem, response, "flow_accept"))


def test_a_gateway_condition_with_an_allowed_method_is_accepted(api, cast, key):
    response = deploy(api, cast.analyst, manual(key, accept_condition('decision.lower() == "accept"')))
    assert response.status_code == 201, response.text


def test_a_timer_duration_that_is_not_iso_8601_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '"PT10D"'))
    assert any("PT10D" in m for m in pinned_to(problem, response, "wait_until_due"))


def test_a_timer_expression_that_evaluates_to_an_invalid_duration_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '"PT" + str(10) + "D"'))
    assert pinned_to(problem, response, "wait_until_due")


def test_a_timer_date_that_is_not_iso_8601_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, timer_flow(key, "timeDate", '"next tuesday"'))
    assert pinned_to(problem, response, "wait_until_due")


def test_a_timer_expression_that_the_evaluator_refuses_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '__import__("os").getenv("P")'))
    assert pinned_to(problem, response, "wait_until_due")


def test_a_timer_expression_that_evaluates_to_an_iso_8601_duration_is_accepted(api, cast, key):
    response = deploy(api, cast.analyst, timer_flow(key, "timeDuration", '"P" + str(10) + "D"'))
    assert response.status_code == 201, response.text


def test_a_script_task_that_imports_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *script_task('import os\nos.system("id")')))
    assert any("imports are not allowed" in m for m in pinned_to(problem, response, "prepare_delivery"))


def test_a_script_task_reaching_a_dunder_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *script_task("leak = order_no.__class__.__mro__")))
    assert pinned_to(problem, response, "prepare_delivery")


def test_a_script_task_with_an_attribute_outside_the_allow_list_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *script_task("encoded = order_no.encode()")))
    assert any("encode" in m for m in pinned_to(problem, response, "prepare_delivery"))


def test_a_script_task_calling_outside_the_helper_allow_list_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *script_task("sent = notify_seller(order_no)")))
    assert any("notify_seller" in m for m in pinned_to(problem, response, "prepare_delivery"))


def test_a_script_task_calling_eval_is_refused(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *script_task('value = eval("1 + 1")')))
    assert any("eval" in m for m in pinned_to(problem, response, "prepare_delivery"))


def test_a_pre_script_that_the_evaluator_refuses_is_pinned_to_its_task(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, deliver_script("preScript", "import os")))
    assert pinned_to(problem, response, "deliver")


def test_a_post_script_that_the_evaluator_refuses_is_pinned_to_its_task(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, deliver_script("postScript", 'leak = getattr(order_no, "x")')))
    assert any("getattr" in m for m in pinned_to(problem, response, "deliver"))


def test_a_script_task_the_evaluator_can_run_is_accepted(api, cast, key):
    script = 'urgent = len(order_no) > 100 and "express" in str(description).lower()\nchecked = True'
    response = deploy(api, cast.analyst, manual(key, *script_task(script)))
    assert response.status_code == 201, response.text


def test_an_accepted_script_task_runs_when_an_order_passes_it(api, cast, key, place_order_on, act, upload):
    ok(deploy(api, cast.analyst, manual(key, *script_task('urgent = "express" in description.lower()'))), 201)
    order = place_order_on(key)
    response = act(cast.buyer, order, "submit_requirement", {"description": "Express migration"},
                   [upload(cast.buyer)])
    assert [n["id"] for n in ok(response)["nodes"]] == ["deliver"]


def test_a_post_script_the_evaluator_can_run_is_accepted(api, cast, key):
    response = deploy(api, cast.analyst, manual(key, deliver_script("postScript", "delivered = True")))
    assert response.status_code == 201, response.text


CONDITIONAL_WAIT = (
    '<bpmn:intermediateCatchEvent id="wait_for_capacity" name="Seller has capacity">\n'
    '      <bpmn:incoming>flow_submit_deliver</bpmn:incoming>\n'
    '      <bpmn:outgoing>flow_wait_deliver</bpmn:outgoing>\n'
    '      <bpmn:conditionalEventDefinition id="ConditionalEventDefinition_capacity">\n'
    '        <bpmn:condition xsi:type="bpmn:tFormalExpression">{condition}</bpmn:condition>\n'
    '      </bpmn:conditionalEventDefinition>\n'
    '    </bpmn:intermediateCatchEvent>\n'
    '    <bpmn:sequenceFlow id="flow_wait_deliver" sourceRef="wait_for_capacity" targetRef="deliver" />')


def conditional_wait(condition: str) -> tuple[tuple[str, str], ...]:
    """A conditional intermediate event `wait_for_capacity` between submit_requirement and deliver."""
    return ((SUBMIT_TO_DELIVER, SUBMIT_TO_DELIVER.replace('targetRef="deliver"', 'targetRef="wait_for_capacity"')
             + "\n    " + CONDITIONAL_WAIT.format(condition=condition)),
            (DELIVER_INCOMING, DELIVER_INCOMING.replace("flow_submit_deliver", "flow_wait_deliver")))


def test_a_conditional_event_whose_condition_the_evaluator_refuses_is_rejected(api, cast, problem, key):
    response = deploy(api, cast.analyst, manual(key, *conditional_wait('__import__("os").system("id") == 0')))
    assert pinned_to(problem, response, "wait_for_capacity")


DELIVER_END = '<bpmn:outgoing>flow_deliver_gw_delivered</bpmn:outgoing>\n    </bpmn:userTask>'


def test_a_multi_instance_cardinality_the_evaluator_refuses_is_rejected(api, cast, problem, key):
    loop = ('<bpmn:outgoing>flow_deliver_gw_delivered</bpmn:outgoing>\n'
            '      <bpmn:multiInstanceLoopCharacteristics isSequential="true">\n'
            '        <bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">'
            '__import__("os").getpid()</bpmn:loopCardinality>\n'
            '      </bpmn:multiInstanceLoopCharacteristics>\n'
            '    </bpmn:userTask>')
    response = deploy(api, cast.analyst, manual(key, (DELIVER_END, loop)))
    assert pinned_to(problem, response, "deliver")


def test_a_rejected_diagram_is_not_deployed(api, cast, key):
    deploy(api, cast.analyst, manual(key, (DELIVER_LANE_REF, "")))
    assert key not in listing(api, cast.analyst)


MANY_PROBLEMS = {
    "gw_delivered": (GW_DELIVERED_OPEN, GW_DELIVERED_OPEN.replace("default=", 'bogus="1" default=')),  # XSD
    "deliver": (DELIVER_LANE_REF, ""),  # no lane
    "confirm_acceptance": (CONFIRM_FORM, CONFIRM_FORM.replace("rejection", "no_such_form")),  # unknown form
    "flow_accept": accept_condition('decision == "accept" and __import__("os")'),  # refused condition
}


@pytest.fixture
def many_problems(api, cast, key):
    """One diagram with an XSD violation, a lane-less task, an unknown form, a refused condition and a
    script task that imports: the 422 answer."""
    return deploy(api, cast.analyst, manual(key, *MANY_PROBLEMS.values(), *script_task("import os")))


def test_a_diagram_with_many_problems_reports_them_all_at_once(problem, many_problems):
    reported = {p["element_id"] for p in problems_of(problem, many_problems)}
    assert set(MANY_PROBLEMS) | {"prepare_delivery"} <= reported


def test_each_reported_problem_has_a_message(problem, many_problems):
    assert all(isinstance(p["message"], str) and p["message"] for p in problems_of(problem, many_problems))


# -- safe parsing --------------------------------------------------------------------------------------
PASSWD = Path("/etc/passwd")
PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'
XXE_DOCTYPE = '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """`xml` with `doctype` after its XML declaration."""
    return replaced(xml.decode("utf-8"), (PROLOG, f"{PROLOG}\n{doctype}")).encode("utf-8")


def documented_with(entity: str) -> tuple[str, str]:
    """`&entity;` becomes the documentation of the deliver task."""
    return DELIVER_OPEN, f"{DELIVER_OPEN}\n      <bpmn:documentation>&{entity};</bpmn:documentation>"


def xxe(key: str) -> bytes:
    return with_doctype(manual(key, documented_with("xxe")), XXE_DOCTYPE)


def billion_laughs(key: str) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    doctype = "<!DOCTYPE bpmn:definitions [\n" + "\n".join(entities) + "\n]>"
    return with_doctype(manual(key, documented_with("lol9")), doctype)


def passwd_lines() -> list[str]:
    return [line for line in PASSWD.read_text().splitlines() if line.strip()] if PASSWD.exists() else ["root:x:0:0"]


def test_a_diagram_with_an_external_entity_is_rejected(api, cast, problem, key):
    problems_of(problem, deploy(api, cast.analyst, xxe(key)))


def test_an_external_entity_is_never_expanded_into_the_answer(api, cast, key):
    text = deploy(api, cast.analyst, xxe(key)).text
    assert not [line for line in passwd_lines() if line in text]


def test_a_diagram_with_an_external_entity_is_not_deployed(api, cast, key):
    deploy(api, cast.analyst, xxe(key))
    assert key not in listing(api, cast.analyst)


def test_an_external_entity_in_an_attribute_is_rejected_and_never_expanded(api, cast, problem, key):
    xml = with_doctype(manual(key, (DELIVER_OPEN, DELIVER_OPEN.replace("Seller processes requirement", "&xxe;"))),
                       XXE_DOCTYPE)
    response = deploy(api, cast.analyst, xml)
    problems_of(problem, response)
    assert not [line for line in passwd_lines() if line in response.text]


def test_an_external_dtd_is_rejected(api, cast, problem, key):
    xml = with_doctype(manual(key), '<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/evil.dtd">')
    problems_of(problem, deploy(api, cast.analyst, xml))


def test_a_billion_laughs_diagram_is_rejected(api, cast, problem, key):
    problems_of(problem, deploy(api, cast.analyst, billion_laughs(key)))


def test_a_billion_laughs_diagram_is_never_expanded(api, cast, key):
    response = deploy(api, cast.analyst, billion_laughs(key))
    assert "lollollol" not in response.text and len(response.content) < 10_000


def test_a_billion_laughs_diagram_is_not_deployed(api, cast, key):
    deploy(api, cast.analyst, billion_laughs(key))
    assert key not in listing(api, cast.analyst)


@pytest.fixture
def bpmn_limit(app):
    """bpmn_limit(n): MAX_BPMN_BYTES is n for this test, then back to what it was."""
    saved = app.config["MAX_BPMN_BYTES"]

    def lower(limit: int) -> None:
        app.config["MAX_BPMN_BYTES"] = limit

    yield lower
    app.config["MAX_BPMN_BYTES"] = saved


def test_the_default_diagram_size_limit_is_one_mib(app):
    assert app.config["MAX_BPMN_BYTES"] == ONE_MIB


def test_a_diagram_over_the_limit_answers_413(api, cast, problem, key, bpmn_limit):
    xml = manual(key)
    bpmn_limit(len(xml) - 1)
    problem(deploy(api, cast.analyst, xml), 413, "payload_too_large")


def test_a_multipart_diagram_over_the_limit_answers_413(api, cast, problem, key, bpmn_limit):
    xml = manual(key)
    bpmn_limit(len(xml) - 1)
    problem(deploy_file(api, cast.analyst, xml), 413, "payload_too_large")


def test_a_diagram_of_exactly_the_limit_is_accepted(api, cast, key, bpmn_limit):
    xml = manual(key)
    bpmn_limit(len(xml))
    assert deploy(api, cast.analyst, xml).status_code == 201


def test_a_diagram_over_the_limit_is_not_deployed(api, cast, key, bpmn_limit):
    xml = manual(key)
    bpmn_limit(len(xml) - 1)
    deploy(api, cast.analyst, xml)
    assert key not in listing(api, cast.analyst)


def test_a_diagram_just_over_the_default_one_mib_answers_413(api, cast, problem, key):
    xml = manual(key)
    padding = b"<!--" + b"x" * (ONE_MIB + 1 - len(xml) - 8) + b"-->\n"
    padded = xml + padding
    assert len(padded) == ONE_MIB + 1
    problem(deploy(api, cast.analyst, padded), 413, "payload_too_large")


# -- modeler exports -----------------------------------------------------------------------------------
def test_a_camunda_modeler_export_is_accepted(api, cast, key):
    response = deploy_file(api, cast.analyst, diagram(CAMUNDA_EXPORT, key), filename="camunda.bpmn")
    assert response.status_code == 201, response.text


def test_a_bpmn_io_export_is_accepted(api, cast, key):
    response = deploy(api, cast.analyst, diagram(BPMNIO_EXPORT, key))
    assert response.status_code == 201, response.text


def test_an_order_runs_on_a_camunda_modeler_export(api, cast, key, place_order_on, walk, act):
    ok(deploy(api, cast.analyst, diagram(CAMUNDA_EXPORT, key)), 201)
    order = walk(place_order_on(key), "confirm_acceptance")
    assert ok(act(cast.buyer, order, "accept"))["status"] == "completed"


def test_an_order_runs_on_a_bpmn_io_export(api, cast, key, place_order_on, walk, act):
    ok(deploy(api, cast.analyst, diagram(BPMNIO_EXPORT, key)), 201)
    order = walk(place_order_on(key), "confirm_acceptance")
    assert ok(act(cast.buyer, order, "accept"))["status"] == "completed"


def test_a_modeler_export_with_a_problem_is_still_rejected(api, cast, problem, key):
    xml = diagram(CAMUNDA_EXPORT, key, ('value="reject=rejection"', 'value="reject=no_such_form"'))
    assert pinned_to(problem, deploy(api, cast.analyst, xml), "confirm_acceptance")


def test_a_version_beyond_32_bits_is_refused_not_overflowed(api, cast, problem):
    """PostgreSQL's version column is 32-bit: a bigger number is a 422 (body) or 404 (path), never a 500."""
    big = 2**31
    base = "/api/v1/process-definitions/manual_service_general"
    problem(api.post(f"{base}/migrations", cast.analyst.token,
                     json={"from_version": big, "to_version": 1, "dry_run": True}), 422, "validation_failed")
    problem(api.post(f"{base}/current", cast.analyst.token, json={"version": big}), 422, "validation_failed")
    problem(api.get(f"{base}/versions/{big}", cast.analyst.token), 404, "not_found")
