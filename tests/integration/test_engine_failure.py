"""An engine failure rolls the action back, keeps the last good state and marks the order `error`.

The order runs `broken_flow`: the general manual-service diagram under a new process id whose gateway
after confirm_acceptance names a variable that is undefined when the buyer accepts. `reason` is a
field of the rejection form, so the upload lint knows the name and lets the diagram deploy; only the
reject path ever sets it, so evaluating the condition on accept raises NameError in the engine.
No routing rule leads to `broken_flow`, so the order is inserted and its process started through
the services, then driven through the real HTTP API.
"""
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import order_body

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "manual_service_general.bpmn"
GOOD_CONDITION = 'decision == "accept"'
BROKEN_CONDITION = 'decision == "accept" and not reason'


def broken_flow_xml() -> bytes:
    xml = BPMN.read_text(encoding="utf-8")
    assert xml.count(GOOD_CONDITION) == 1
    xml = xml.replace(GOOD_CONDITION, BROKEN_CONDITION).replace("manual_service_general", "broken_flow")
    return xml.encode("utf-8")


@pytest.fixture
def broken_order(app, api, cast):
    """A paid order of the cast's buyer and seller running `broken_flow`, as the buyer sees it."""
    from app.services.processes.deploy import deploy
    from app.services.core.transaction import transaction

    with transaction() as session:
        deploy(session, broken_flow_xml(), filename="broken_flow.bpmn")
    body = {**order_body(cast.buyer.name, cast.seller.name), "billing": {"mode": "one_off"}}
    order_id = factories.place_order_on(cast.platform, "broken_flow", body)
    response = api.get(f"/api/v1/orders/{order_id}", cast.buyer.token)
    assert response.status_code == 200, response.text
    return response.json()


def instance_row(order_id: str):
    from app.models import ProcessInstance
    from app.services.core.transaction import transaction
    with transaction() as session:
        return session.scalars(select(ProcessInstance).where(ProcessInstance.order_id == order_id)).one()


def task_rows(order_id: str) -> list[tuple[str, str]]:
    from app.models import Task
    from app.services.core.transaction import transaction
    with transaction() as session:
        rows = session.scalars(select(Task).where(Task.order_id == order_id).order_by(Task.created_at, Task.id))
        return [(r.node_id, r.status) for r in rows]


@pytest.fixture
def at_acceptance(broken_order, walk):
    """The broken order at confirm_acceptance, with the last good engine state and task rows."""
    order = walk(broken_order, "confirm_acceptance")
    return {"order": order, "state": instance_row(order["id"]).state, "tasks": task_rows(order["id"])}


@pytest.fixture
def failed(at_acceptance, act, cast):
    """The buyer accepts: the gateway fails. Returns the response and what was there before."""
    response = act(cast.buyer, at_acceptance["order"], "accept")
    return {**at_acceptance, "response": response}


# -- the answer -------------------------------------------------------------------------------------
def test_the_broken_order_runs_the_broken_flow_process(broken_order):
    assert broken_order["process"]["key"] == "broken_flow"


def test_the_action_that_makes_the_engine_fail_answers_500(failed):
    assert failed["response"].status_code == 500


def test_the_engine_failure_answer_is_problem_json(failed):
    assert failed["response"].headers["Content-Type"].startswith("application/problem+json")


def test_the_engine_failure_answer_has_code_internal_error(failed):
    assert failed["response"].json()["code"] == "internal_error"


def test_the_engine_failure_answer_carries_no_stack_trace(failed):
    text = failed["response"].text
    assert "Traceback" not in text and 'File "' not in text


def test_the_engine_failure_answer_does_not_leak_the_failing_expression(failed):
    assert BROKEN_CONDITION not in failed["response"].text and "NameError" not in failed["response"].text


# -- the order --------------------------------------------------------------------------------------
def test_the_order_status_becomes_error(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.buyer.token).json()
    assert order["status"] == "error"


def test_the_order_shows_the_engine_error_message(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.ops.token).json()
    assert order["error"]["message"]


def test_the_engine_error_message_names_the_undefined_variable(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.ops.token).json()
    assert "reason" in order["error"]["message"]


def test_the_order_shows_the_gateway_as_the_failing_element(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.ops.token).json()
    assert order["error"]["element_id"] == "gw_accept"


def test_the_failed_acceptance_is_not_recorded_on_the_order(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.buyer.token).json()
    assert order["accepted_at"] is None and order["completed_at"] is None


def test_the_instance_is_marked_error(failed):
    assert instance_row(failed["order"]["id"]).status == "error"


# -- the last good state ----------------------------------------------------------------------------
def test_the_instance_state_is_the_last_good_one(failed):
    assert instance_row(failed["order"]["id"]).state == failed["state"]


def test_the_task_rows_are_the_last_good_ones(failed):
    assert task_rows(failed["order"]["id"]) == failed["tasks"]


def test_confirm_acceptance_is_still_the_ready_task_row(failed):
    ready = [node for node, status in task_rows(failed["order"]["id"]) if status == "ready"]
    assert ready == ["confirm_acceptance"]


def test_the_order_still_shows_confirm_acceptance_as_its_node(failed, api, cast):
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.buyer.token).json()
    assert [n["id"] for n in order["nodes"]] == ["confirm_acceptance"]


# -- the history ------------------------------------------------------------------------------------
def history(api, cast, order_id):
    response = api.get(f"/api/v1/orders/{order_id}/history", cast.ops.token)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_history_records_an_engine_error_at_the_gateway(failed, api, cast):
    events = history(api, cast, failed["order"]["id"])
    assert [e["node"] for e in events if e["type"] == "engine_error"] == ["gw_accept"]


def test_the_history_has_no_task_completed_for_the_failed_action(failed, api, cast):
    events = history(api, cast, failed["order"]["id"])
    assert [e for e in events if e["type"] == "task_completed" and e["action"] == "accept"] == []


def test_the_history_keeps_the_actions_before_the_failure(failed, api, cast):
    events = history(api, cast, failed["order"]["id"])
    assert [e["action"] for e in events if e["type"] == "task_completed"] == ["submit_requirement", "deliver"]


def test_the_history_chain_stays_intact_after_the_failure(failed, app):
    from app.services.evidence.history import verify_chains
    _, broken = verify_chains()
    assert [b for b in broken if b[0] == failed["order"]["id"]] == []


# -- afterwards -------------------------------------------------------------------------------------
def test_a_later_action_on_the_failed_order_answers_409(failed, act, cast):
    assert act(cast.buyer, failed["order"], "reject", {"reason": "still broken?"}).status_code == 409


def test_repeating_the_failed_action_answers_409(failed, act, cast):
    assert act(cast.buyer, failed["order"], "accept").status_code == 409


def test_a_later_action_leaves_the_error_in_place(failed, act, cast, api):
    act(cast.buyer, failed["order"], "accept")
    order = api.get(f"/api/v1/orders/{failed['order']['id']}", cast.ops.token).json()
    assert order["status"] == "error" and order["error"]["element_id"] == "gw_accept"
